import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { ensureBuilt } from '../support/built.js';
import { BACKENDS, type Backend } from './support/backends.js';
import { startChild, type Child } from './support/child.js';
import { removeTempDirs, seededRandom, tempDir } from './support/ledger-fixture.js';
import { asSuperuser, dropFileDatabase } from './support/postgres.js';

beforeAll(ensureBuilt, 120_000); // the writer runs the compiled ledger
afterEach(removeTempDirs);
afterAll(dropFileDatabase);

const KILLS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "seq hash subject" lines the child printed after each commit. */
function reported(child: Child): Array<{ seq: number; hash: string; subject: string }> {
  return child.lines.filter((l) => /^\d+ [0-9a-f]{64} /.test(l)).map((l) => {
    const [seq, hash, subject] = l.split(' ');
    return { seq: Number(seq), hash: hash!, subject: subject! };
  });
}

async function readAll(backend: Backend, path: string, env: NodeJS.ProcessEnv): Promise<Map<number, LedgerEntry>> {
  const ledger = await backend.open(path, { env });
  const entries = new Map<number, LedgerEntry>();
  for await (const entry of ledger.read()) entries.set(entry.seq, entry);
  await ledger.close();
  return entries;
}

describe.each(BACKENDS)('a writer killed with SIGKILL at random moments ($name)', (backend) => {
  it.skipIf(backend.skip)(`loses nothing it reported as committed, and the ledger verifies (${KILLS} kills)`, async () => {
    const path = await backend.fresh();
    // One key for every writer, wherever the ledger is.
    const env = { CHANGEPROOF_SIGNING_KEY_PATH: join(tempDir(), 'signing-key.pem') };
    const random = seededRandom(20260301);
    const committed: Array<{ seq: number; hash: string; subject: string }> = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = startChild('./append-loop.mjs', [path, `run${kill}`], { env });
      // Mostly mid-append; every fifth time from spawn, which may hit opening,
      // migrating or creating the key.
      if (kill % 5 === 0) await sleep(random() * 900);
      else {
        // From its first commit, so that every such kill lands among appends however slow a busy machine makes them.
        await child.waitFor('ready');
        for (const deadline = Date.now() + 10_000; reported(child).length === 0 && Date.now() < deadline;) await sleep(5);
        await sleep(random() * 60);
      }
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      committed.push(...reported(child));
    }
    // At least one commit before each kill that waited for one (four in five).
    expect(committed.length).toBeGreaterThanOrEqual(KILLS - KILLS / 5);
    expect(new Set(committed.map((c) => c.seq)).size).toBe(committed.length);

    // Before anyone touches it again: intact, with an unsigned tail the kills left.
    const ledger = await backend.open(path, { env });
    const publicKey = publicKeyFromPem(ledger.publicKeyPem());
    expect(await verifyLedger(path, { publicKey })).toMatchObject({ ok: true });
    await ledger.close(); // a clean close signs that tail

    for (const canonical of [false, true]) {
      const report = await verifyLedger(path, { publicKey, canonical, requireFinalCheckpoint: true });
      expect(report.failure).toBeNull();
      expect(report.checkpoints).toBeGreaterThan(1);
    }
    if (backend.name === 'postgres') {
      // No half append: every entry about a repository has its subject row, every delivery row its entry.
      const orphans = await asSuperuser(path, (c) => c.query<{ n: number }>(`SELECT
        (SELECT count(*) FROM entries e WHERE repo IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entry_subjects s WHERE s.seq = e.seq))
        + (SELECT count(*) FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = d.seq)) AS n`));
      expect(Number(orphans.rows[0]!.n)).toBe(0);
    }
    const entries = await readAll(backend, path, env);
    for (const { seq, hash, subject } of committed) {
      expect(entries.get(seq), `seq ${seq}`).toMatchObject({ hash, subject });
    }
  }, 60_000);
});
