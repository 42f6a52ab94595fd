import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli as run } from './support/run-cli.js';
import { keyIdOf } from '../../src/ledger/signing-key.js';
import { buildLedger, removeTempDirs, sampleEntry, steppingClock } from './support/ledger-fixture.js';
import { asSuperuser, dropFileDatabase, freshSchema, postgresUnavailable } from './support/postgres.js';
import { exportLines } from './support/rewrite-ledger.js';

// The ledger commands on a postgres:// URL, and ledger-migrate from a SQLite file.

const skip = await postgresUnavailable();
if (skip) console.warn(`Skipping the PostgreSQL CLI tests: ${skip}`);
const describe_ = skip ? describe.skip : describe;

afterEach(removeTempDirs);
afterAll(dropFileDatabase);

/** A SQLite ledger with delivery ids, a pending delivery and a completed one, migrated to a fresh schema. */
async function migrated() {
  const built = await buildLedger({ count: 23, everyEntries: 5, close: false });
  await built.ledger.inbox.accept('pending-1', 'pull_request', '{"n":1}');
  await built.ledger.inbox.accept('done-1', 'push', '{"n":2}');
  await built.ledger.inbox.complete('done-1');
  await built.ledger.close();
  const published = join(built.dir, 'published.pem');
  writeFileSync(published, built.pem);
  const url = await freshSchema();
  const result = await run(['ledger-migrate', '--from', built.path, '--to', url, '--public-key', published]);
  return { ...built, url, published, result };
}

describe_('changeproof ledger-migrate --from FILE.db --to postgres://…', () => {
  it('copies the chain and its checkpoints, verifies them after, and exports back the very same NDJSON', async () => {
    const m = await migrated();
    expect(m.result.code, m.result.err).toBe(0);
    expect(m.result.out).toMatch(/^Migrated 28 entries and 5 checkpoints to postgres:\/\/.*verified after the copy\.\nHead: seq 28/s);
    expect(m.result.out).toMatch(/Signatures: verified with the key given/);
    const back = join(m.dir, 'back.ndjson');
    expect((await run(['ledger-export', '--ledger', m.url, '--out', back])).code).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(`${exportLines(m.path).join('\n')}\n`);
    expect((await run(['verify', '--ledger', m.url, '--public-key', m.published, '--require-final-checkpoint'])).code).toBe(0);
  });

  it('carries the delivery ids (a redelivery is still recognised) and the inbox (pending work is still done)', async () => {
    const m = await migrated();
    const { PostgresLedger } = await import('../../src/ledger/postgres/postgres-ledger.js');
    // The replicas sign with the key the SQLite ledger was signed with.
    const ledger = await PostgresLedger.open(m.url, { env: { CHANGEPROOF_SIGNING_KEY_PATH: join(m.dir, 'ledger-signing-key.pem') }, clock: steppingClock('2026-04-01T00:00:00.000Z') });
    try {
      expect(await ledger.hasDelivery('delivery-3')).toBe(true);
      expect((await ledger.append(sampleEntry(99), { deliveryId: 'delivery-3' })).duplicate).toBe(true);
      expect(await ledger.inbox.pendingIds()).toEqual(['pending-1']);
      expect(await ledger.inbox.accept('done-1', 'push', '{}')).toEqual({ accepted: false, completed: true });
      const { entries } = await ledger.append(sampleEntry(100), { deliveryId: 'after' });
      expect(entries[0]!.seq).toBe(29);
    } finally {
      await ledger.close();
    }
    expect((await run(['verify', '--ledger', m.url, '--public-key', m.published])).code).toBe(0);
  });

  it('refuses a target that is not empty, and a source that does not verify, writing nothing', async () => {
    const m = await migrated();
    const again = await run(['ledger-migrate', '--from', m.path, '--to', m.url]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/is not empty/);
    const broken = join(m.dir, 'broken.ndjson');
    const lines = exportLines(m.path);
    lines[4] = lines[4]!.replace('compliant', 'Compliant');
    writeFileSync(broken, `${lines.join('\n')}\n`);
    const target = await freshSchema();
    const refused = await run(['ledger-migrate', '--from', broken, '--to', target, '--public-key', m.published]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/seq 5: hash_mismatch/);
    const count = await asSuperuser(target, (c) => c.query('SELECT count(*)::int AS n FROM entries'));
    expect(count.rows[0].n).toBe(0);
  });

  it('takes --to only as a postgres:// URL', async () => {
    const built = await buildLedger({ count: 2 });
    expect((await run(['ledger-migrate', '--from', built.path, '--to', join(built.dir, 'x.db')])).code).toBe(2);
  });
});

describe_('verify, ledger-export, public-key and export read postgres:// URLs', () => {
  it('public-key prints the key the checkpoints carry; verify exits 0 with its id', async () => {
    const m = await migrated();
    const key = await run(['public-key', '--ledger', m.url, '--json']);
    expect(key.code, key.err).toBe(0);
    expect(JSON.parse(key.out)).toMatchObject({ keyId: keyIdOf(m.publicKey) });
    expect((await run(['verify', '--ledger', m.url, '--key-id', keyIdOf(m.publicKey)])).code).toBe(0);
    expect((await run(['verify', '--ledger', m.url])).code).toBe(3);
    const anchor = await run(['checkpoint', '--ledger', m.url]);
    expect(anchor.code, anchor.err).toBe(0);
    expect(JSON.parse(anchor.out)).toMatchObject({ seq: 28, size: 27 });
  });

  it('never prints the password of the URL', async () => {
    const m = await migrated();
    const withPassword = new URL(m.url);
    withPassword.password = 'not-for-logs';
    const result = await run(['verify', '--ledger', withPassword.toString(), '--json']);
    expect(result.out + result.err).not.toContain('not-for-logs');
  });

  it('verify exits 1 for a rewritten entry, naming its seq', async () => {
    const m = await migrated();
    await asSuperuser(m.url, (c) => c.query("ALTER TABLE entries DISABLE TRIGGER entries_refuse_change; UPDATE entries SET body = replace(body, 'entry ', 'Entry ') WHERE seq = 8"));
    const result = await run(['verify', '--ledger', m.url, '--public-key', m.published]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/first bad seq 8: hash_mismatch/);
  });

  it('a database without a ledger is not an intact ledger (exit 1, as for another application\'s SQLite file)', async () => {
    const url = await freshSchema();
    const result = await run(['verify', '--ledger', url]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/holds no changeproof ledger/);
  });

  it('export reads the population from a postgres:// URL', async () => {
    const m = await migrated();
    const out = join(m.dir, 'export');
    const result = await run(['export', '--ledger', m.url, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--seed', 'x',
      '--allow-partial-coverage', '--signing-key', join(m.dir, 'ledger-signing-key.pem')]);
    expect(result.code, result.err).toBe(0);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toMatch(/postgres:\/\/postgres@127\.0\.0\.1/);
  });
});
