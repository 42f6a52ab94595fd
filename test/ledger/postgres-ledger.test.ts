import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { PostgresLedger } from '../../src/ledger/postgres/postgres-ledger.js';
import { PgWorkClaims } from '../../src/ledger/postgres/pg-work-claims.js';
import { generateSigningKey, publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { startChild } from './support/child.js';
import { removeTempDirs, sampleEntry, steppingClock, tempDir } from './support/ledger-fixture.js';
import { asSuperuser, dropFileDatabase, freshSchema, postgresUnavailable } from './support/postgres.js';

// What only the PostgreSQL ledger does: the database refuses what the chain
// forbids, several replicas share it, and verify reads it as it reads SQLite.

const skip = await postgresUnavailable();
if (skip) console.warn(`Skipping the PostgreSQL ledger tests: ${skip}`);
const describe_ = skip ? describe.skip : describe;

const opened: PostgresLedger[] = [];
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
  removeTempDirs();
});
afterAll(dropFileDatabase);

async function fresh(options: Parameters<typeof PostgresLedger.open>[1] = {}): Promise<{ url: string; ledger: PostgresLedger }> {
  const url = await freshSchema();
  const ledger = await PostgresLedger.open(url, { clock: steppingClock(), signingKey: generateSigningKey(), poolSize: 3, ...options });
  opened.push(ledger);
  return { url, ledger };
}

async function all(ledger: PostgresLedger): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for await (const entry of ledger.read()) out.push(entry);
  return out;
}

describe_('append-only in the database', () => {
  it.each([
    ['UPDATE of an entry', 'UPDATE entries SET body = body WHERE seq = 1'],
    ['DELETE of an entry', 'DELETE FROM entries WHERE seq = 2'],
    ['TRUNCATE of the entries', 'TRUNCATE entries CASCADE'],
    ['UPDATE of the delivery index', "UPDATE deliveries SET delivery_id = 'x'"],
    ['DELETE from the subject index', 'DELETE FROM entry_subjects'],
  ])('the trigger refuses %s, even to the owner', async (_, sql) => {
    const { url, ledger } = await fresh();
    await ledger.append([sampleEntry(0), sampleEntry(1)], { deliveryId: 'd' });
    await expect(asSuperuser(url, (c) => c.query(sql))).rejects.toThrow(/append-only: (UPDATE|DELETE|TRUNCATE) refused/);
    expect((await ledger.head()).size).toBe(2);
  });

  it('refuses an entry that does not follow the head (a writer that skipped the lock cannot fork or gap the chain)', async () => {
    const { url, ledger } = await fresh();
    const { entries } = await ledger.append([sampleEntry(0), sampleEntry(1)]);
    const [first] = entries;
    // A second entry at seq 2 (a fork), an entry at seq 4 (a gap), and seq 3 naming the wrong predecessor.
    const forked = (seq: number, prev: string) => `{"data":{},"kind":"push","prev_hash":"${prev}","recorded_at":"2026-03-01T09:00:05.000Z","repo":"acme/api","seq":${seq},"subject":"push/x"}`;
    const insert = (seq: number, prev: string) => asSuperuser(url, (c) => c.query(
      "INSERT INTO entries (seq, recorded_at, kind, repo, hash, body) VALUES ($1, '2026-03-01T09:00:05.000Z', 'push', 'acme/api', $2, $3)",
      [seq, 'f'.repeat(64), forked(seq, prev)]));
    await expect(insert(2, first!.hash)).rejects.toThrow(/duplicate key/);
    await expect(insert(4, entries[1]!.hash)).rejects.toThrow(/needs seq 3 before it/);
    await expect(insert(3, first!.hash)).rejects.toThrow(/does not name the hash of seq 2/);
    expect((await ledger.head()).size).toBe(2);
  });

  it('a role granted only SELECT and INSERT appends; one that was also granted UPDATE and DELETE is still refused by the trigger', async () => {
    const { url, ledger } = await fresh();
    await ledger.append(sampleEntry(0));
    const role = `cp_app_${randomBytes(4).toString('hex')}`;
    const schema = new URL(url).searchParams.get('options')!.split('=')[1]!;
    await asSuperuser(url, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await c.query(`GRANT SELECT, INSERT ON entries, deliveries, entry_subjects, changeproof_schema TO ${role}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE ON inbox TO ${role}`);
    });
    const asRole = new URL(url);
    asRole.username = role;
    try {
      const app = await PostgresLedger.open(asRole.toString(), { clock: steppingClock('2026-03-02T00:00:00.000Z'), signingKey: generateSigningKey() });
      opened.push(app);
      await app.append(sampleEntry(1), { deliveryId: 'as-role' });
      await app.inbox.accept('d1', 'push', '{}');
      await app.inbox.complete('d1');
      const client = new pg.Client({ connectionString: asRole.toString() });
      await client.connect();
      try {
        await expect(client.query('UPDATE entries SET body = body')).rejects.toThrow(/permission denied/);
        await expect(client.query('DELETE FROM entries')).rejects.toThrow(/permission denied/);
        await asSuperuser(url, (c) => c.query(`GRANT UPDATE, DELETE ON entries TO ${role}`));
        await expect(client.query('UPDATE entries SET body = body')).rejects.toThrow(/append-only: UPDATE refused/);
        await expect(client.query('DELETE FROM entries')).rejects.toThrow(/append-only: DELETE refused/);
      } finally {
        await client.end();
      }
      expect(await verifyLedger(url, {})).toMatchObject({ ok: true });
    } finally {
      await app_close();
      await asSuperuser(url, async (c) => {
        await c.query(`DROP OWNED BY ${role}`);
        await c.query(`DROP ROLE ${role}`);
      });
    }
    async function app_close() {
      for (const l of opened.splice(1)) await l.close().catch(() => undefined);
    }
  });

  it('refuses a database whose tables are not a changeproof ledger', async () => {
    const url = await freshSchema();
    await asSuperuser(url, (c) => c.query('CREATE TABLE entries (id int)'));
    await expect(PostgresLedger.open(url, { signingKey: generateSigningKey() })).rejects.toMatchObject({ code: 'LEDGER_CORRUPT' });
  });

  it('reports a database that cannot be reached as unavailable, without the password', async () => {
    await expect(PostgresLedger.open('postgres://someone:secret@127.0.0.1:1/none', { signingKey: generateSigningKey() }))
      .rejects.toSatisfy((e: Error & { code?: string }) => e.code === 'LEDGER_UNAVAILABLE' && !e.message.includes('secret'));
  });
});

describe_('several replicas on one database', () => {
  it('appending at the same moment extend one linear chain; every checkpoint is for its own size', async () => {
    const url = await freshSchema();
    const key = generateSigningKey();
    const replicas = await Promise.all([0, 1, 2].map(async () => {
      const ledger = await PostgresLedger.open(url, { signingKey: key, checkpointPolicy: { everyEntries: 5 }, poolSize: 3 });
      opened.push(ledger);
      return ledger;
    }));
    await Promise.all(replicas.map(async (ledger, r) => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => ledger.append([sampleEntry(i, `acme/r${r}`), sampleEntry(i + 100, `acme/r${r}`)], { deliveryId: `r${r}-${i}` })));
    }));
    const entries = await all(replicas[0]!);
    expect(entries.filter((e) => e.kind !== 'checkpoint')).toHaveLength(240);
    const sizes = entries.filter((e) => e.kind === 'checkpoint').map((e) => (e.data as { size: number }).size);
    expect(new Set(sizes).size).toBe(sizes.length);
    let unsigned = 0;
    for (const entry of entries) {
      unsigned = entry.kind === 'checkpoint' ? 0 : unsigned + 1;
      expect(unsigned).toBeLessThanOrEqual(5);
    }
    for (const ledger of replicas) await ledger.close();
    const report = await verifyLedger(url, { publicKey: key.publicKey, requireFinalCheckpoint: true });
    expect(report).toMatchObject({ ok: true, signatures: 'verified', unsignedTail: 0 });
    expect(report.entries).toBeGreaterThanOrEqual(entries.length);
  });

  it('a replica with another signing key may not sign checkpoints into the chain', async () => {
    const { url, ledger } = await fresh();
    await ledger.append(sampleEntry(0));
    await ledger.checkpoint();
    await expect(PostgresLedger.open(url, { signingKey: generateSigningKey() })).rejects.toMatchObject({ code: 'LEDGER_KEY_MISMATCH' });
  });

  it('a work claim is held by one replica at a time, and a replica killed with SIGKILL releases its claims at once', async () => {
    const url = await freshSchema();
    const mine = await PgWorkClaims.connect(url);
    try {
      const child = startChild('./hold-claim.ts', [url, 'acme/api']);
      await child.waitFor('claimed');
      expect(await mine.tryClaim('acme/api')).toBeNull();
      const other = await mine.tryClaim('acme/web');
      expect(other).not.toBeNull();
      await other!.release();
      const killedAt = Date.now();
      child.process.kill('SIGKILL');
      await child.exited;
      let claim = null;
      while (!claim && Date.now() - killedAt < 5000) {
        claim = await mine.tryClaim('acme/api');
        if (!claim) await new Promise((r) => setTimeout(r, 20));
      }
      expect(claim, 'the claim was not released within 5 s').not.toBeNull();
      expect(Date.now() - killedAt).toBeLessThan(2000);
      await claim!.release();
    } finally {
      await mine.close();
    }
  });
});

describe_('the work claims of a replica', () => {
  it('reconnect after their session was cut (a database restart), holding nothing from before', async () => {
    const url = await freshSchema();
    const claims = await PgWorkClaims.connect(url);
    try {
      const before = await claims.tryClaim('acme/api');
      expect(before).not.toBeNull();
      expect(await before!.held()).toBe(true);
      await asSuperuser(url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'changeproof-claims' AND datname = current_database()"));
      let again = null;
      const deadline = Date.now() + 5000;
      while (!again && Date.now() < deadline) {
        again = await claims.tryClaim('acme/api').catch(() => null);
        if (!again) await new Promise((r) => setTimeout(r, 50));
      }
      expect(again, 'no claim after the session was cut').not.toBeNull();
      // The claim of the cut session is known lost, the new one held.
      expect(await before!.held()).toBe(false);
      expect(await again!.held()).toBe(true);
      await before!.release(); // of the old session: nothing to do
      const other = await PgWorkClaims.connect(url);
      try {
        expect(await other.tryClaim('acme/api')).toBeNull();
        await again!.release();
        expect(await again!.held()).toBe(false);
        expect(await other.tryClaim('acme/api')).not.toBeNull();
      } finally {
        await other.close();
      }
    } finally {
      await claims.close();
    }
  });
});

describe_('verify reads a PostgreSQL ledger as it reads a SQLite one', () => {
  async function tampered(sql: (seq: number) => string) {
    const { url, ledger } = await fresh({ checkpointPolicy: { everyEntries: 4 } });
    for (let i = 0; i < 10; i++) await ledger.append(sampleEntry(i));
    await ledger.close();
    // What an attacker with the owner's rights does: switch the trigger off, rewrite, switch it on.
    await asSuperuser(url, (c) => c.query(`ALTER TABLE entries DISABLE TRIGGER entries_refuse_change; ${sql(6)}; ALTER TABLE entries ENABLE TRIGGER entries_refuse_change`));
    return { url, publicKey: publicKeyFromPem(ledger.publicKeyPem()) };
  }

  it('an intact ledger verifies with the key, and says "unverified" without one', async () => {
    const { url, ledger } = await fresh({ checkpointPolicy: { everyEntries: 4 } });
    for (let i = 0; i < 10; i++) await ledger.append(sampleEntry(i));
    await ledger.close();
    expect(await verifyLedger(url, { publicKey: publicKeyFromPem(ledger.publicKeyPem()), canonical: true, requireFinalCheckpoint: true }))
      .toMatchObject({ ok: true, format: 'postgres', signatures: 'verified', entries: 13, checkpoints: 3 });
    expect(await verifyLedger(url, {})).toMatchObject({ ok: true, signatures: 'unverified' });
  });

  it.each([
    ['an edited body', (seq: number) => `UPDATE entries SET body = replace(body, 'compliant', 'Compliant') WHERE seq = ${seq}`, 'hash_mismatch'],
    ['text that is not canonical JSON', (seq: number) => `UPDATE entries SET body = replace(body, '{"data":', '{ "data":') WHERE seq = ${seq}`, 'malformed'],
    ['a column that disagrees with the body', (seq: number) => `UPDATE entries SET repo = 'acme/other' WHERE seq = ${seq}`, 'index_mismatch'],
    ['a deleted entry', (seq: number) => `ALTER TABLE deliveries DISABLE TRIGGER USER; ALTER TABLE entry_subjects DISABLE TRIGGER USER; DELETE FROM deliveries WHERE seq = ${seq}; DELETE FROM entry_subjects WHERE seq = ${seq}; DELETE FROM entries WHERE seq = ${seq}`, 'gap'],
  ])('finds %s at its seq', async (_, sql, reason) => {
    const { url, publicKey } = await tampered(sql);
    const report = await verifyLedger(url, { publicKey });
    expect(report.failure).toMatchObject({ seq: 6, reason });
  });

  it('names the database without its password when it cannot be read', async () => {
    await expect(verifyLedger('postgres://u:hunter2@127.0.0.1:1/x', {})).rejects.toSatisfy((e: Error) => !e.message.includes('hunter2'));
  });
});

describe_('the key file shared by replicas', () => {
  it('comes from CHANGEPROOF_SIGNING_KEY_PATH, created by the first replica and used by the next', async () => {
    const url = await freshSchema();
    const env = { CHANGEPROOF_SIGNING_KEY_PATH: join(tempDir(), 'key.pem') };
    const first = await PostgresLedger.open(url, { env });
    opened.push(first);
    const second = await PostgresLedger.open(url, { env });
    opened.push(second);
    expect(second.keyId).toBe(first.keyId);
  });
});

