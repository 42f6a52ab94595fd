import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { ensureBuilt } from '../support/built.js';
import { BACKENDS } from './support/backends.js';
import { startChild } from './support/child.js';
import { removeTempDirs, tempDir } from './support/ledger-fixture.js';
import { dropFileDatabase } from './support/postgres.js';

beforeAll(ensureBuilt, 120_000); // the writer runs the compiled ledger
afterEach(removeTempDirs);
afterAll(dropFileDatabase);

const APPENDS = 120; // per writer; batches of 1–3 entries, so about 240 entries each

describe.each(BACKENDS)('two processes appending to one ledger at the same time ($name)', (backend) => {
  it.skipIf(backend.skip)('extend one linear chain and lose nothing', async () => {
    // Both open the NEW ledger at once: they also race on migrating it and creating the key.
    const path = await backend.fresh();
    const env = { CHANGEPROOF_SIGNING_KEY_PATH: join(tempDir(), 'signing-key.pem') };
    const writers = ['left', 'right'].map((label) => startChild('./append-loop.mjs', [path, label, String(APPENDS)], { env }));
    await Promise.all(writers.map((w) => w.waitFor('ready')));
    for (const w of writers) w.process.stdin!.end('go\n');
    const exits = await Promise.all(writers.map((w) => w.exited));
    expect(exits.map((e) => e.code), writers.map((w) => w.stderr()).join('\n')).toEqual([0, 0]);

    const reports = writers.map((w) => w.lines.filter((l) => /^\d+ /.test(l)).map((l) => l.split(' ')));
    const ledger = await backend.open(path, { env });
    const publicKey = publicKeyFromPem(ledger.publicKeyPem());
    const entries: LedgerEntry[] = [];
    for await (const entry of ledger.read()) entries.push(entry);
    await ledger.close();

    const report = await verifyLedger(path, { publicKey, requireFinalCheckpoint: true });
    expect(report.failure).toBeNull();
    const data = entries.filter((e) => e.kind !== 'checkpoint');
    const expectedPerWriter = Array.from({ length: APPENDS }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    expect(data).toHaveLength(2 * expectedPerWriter);
    expect(new Set(data.map((e) => e.subject)).size).toBe(data.length);
    // Every reported commit is in the chain at the seq and hash the writer saw.
    const bySeq = new Map(entries.map((e) => [e.seq, e]));
    for (const lines of reports) {
      expect(lines).toHaveLength(expectedPerWriter);
      for (const [seq, hash, subject] of lines) expect(bySeq.get(Number(seq))).toMatchObject({ hash, subject });
    }
    // Both writers kept the checkpoint policy (every 7 entries) on the shared chain.
    let unsigned = 0;
    for (const entry of entries) {
      unsigned = entry.kind === 'checkpoint' ? 0 : unsigned + 1;
      expect(unsigned).toBeLessThanOrEqual(7);
    }
    // The writers really interleaved (a run shows ~230 hand-overs); otherwise this would prove little.
    const owners = data.map((e) => e.subject.split('/')[0]);
    const switches = owners.filter((o, i) => i > 0 && o !== owners[i - 1]).length;
    expect(switches).toBeGreaterThan(20);
  }, 30_000);
});
