// PostgreSQL ledger benchmark: `npm run bench:ledger:postgres` (needs a
// PostgreSQL server: CHANGEPROOF_BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created
// and dropped). Prints each figure next to the floor it is compared to,
// measured in the same run against the same server:
//   - durable appends (one entry per transaction, as the app records a webhook)
//     vs raw single-row INSERTs through pg (autocommit, same body) — target ≥ 0.5×;
//   - the same with three appenders at once (three replicas: separate pools,
//     serialised by the append lock) vs three raw inserters at once;
//   - verify entries/s (every check, canonical text included) vs reading the
//     same rows through pg in pages and hashing them with SHA-256.
// Options: --appends N (default 1000), --entries N for verify (default 50000).
import { hash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { evaluation, fmt, median, perSecond, ratio } from './ledger-entries.js';

// The compiled ledger in lib/, as the app and `changeproof verify` run it.
const lib = <T,>(path: string): Promise<T> => import(new URL(`../lib/ledger/${path}`, import.meta.url).href) as Promise<T>;
const { PostgresLedger } = await lib<typeof import('../src/ledger/postgres/postgres-ledger.js')>('postgres/postgres-ledger.js');
const { generateSigningKey } = await lib<typeof import('../src/ledger/signing-key.js')>('signing-key.js');
const { verifyLedger } = await lib<typeof import('../src/ledger/verify.js')>('verify.js');
const { GENESIS_HASH } = await lib<typeof import('../src/ledger/hash.js')>('hash.js');

const { values } = parseArgs({ options: { appends: { type: 'string' }, entries: { type: 'string' } } });
const APPENDS = Number(values.appends ?? 1000);
const VERIFY_ENTRIES = Number(values.entries ?? 50_000);
const ROUNDS = 5;
const WRITERS = 3;
const ADMIN = process.env['CHANGEPROOF_BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';


async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const database = `changeproof_bench_${randomBytes(4).toString('hex')}`;
const url = (() => {
  const u = new URL(ADMIN);
  u.pathname = `/${database}`;
  return u.toString();
})();

/** A schema of its own per measurement, so every run starts from an empty ledger (or table). */
async function freshSchema(): Promise<string> {
  const schema = `s_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** `writers` ledgers (separate pools, as replicas) appending `count` entries in all, one per transaction. */
async function ledgerAppends(writers: number, count: number): Promise<number> {
  const location = await freshSchema();
  const key = generateSigningKey();
  const ledgers = [];
  for (let w = 0; w < writers; w++) ledgers.push(await PostgresLedger.open(location, { signingKey: key, poolSize: 2 }));
  const start = performance.now();
  await Promise.all(ledgers.map(async (ledger, w) => {
    for (let i = w; i < count; i += writers) await ledger.append(evaluation(i), { deliveryId: `delivery-${i}` });
  }));
  const ms = performance.now() - start;
  for (const ledger of ledgers) await ledger.close();
  return perSecond(count, ms);
}

/** `writers` clients each running single-row INSERTs in autocommit (one transaction, one WAL flush per row). */
async function rawInserts(writers: number, count: number, body: string): Promise<number> {
  const location = await freshSchema();
  const clients = [];
  for (let w = 0; w < writers; w++) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    clients.push(client);
  }
  await clients[0]!.query('CREATE TABLE t (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)');
  const start = performance.now();
  await Promise.all(clients.map(async (client, w) => {
    for (let i = w; i < count; i += writers) await client.query('INSERT INTO t (body) VALUES ($1)', [body]);
  }));
  const ms = performance.now() - start;
  for (const client of clients) await client.end();
  return perSecond(count, ms);
}

async function compareAppends(writers: number, count: number) {
  const body = JSON.stringify(evaluation(0));
  const ledger: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate, so the server's weather affects both alike.
    raw.push(await rawInserts(writers, count, body));
    ledger.push(await ledgerAppends(writers, count));
  }
  return { ledger: median(ledger), raw: median(raw) };
}

async function buildVerifyLedger(): Promise<{ location: string; publicKey: ReturnType<typeof generateSigningKey>['publicKey'] }> {
  const location = await freshSchema();
  const key = generateSigningKey();
  const ledger = await PostgresLedger.open(location, { signingKey: key });
  for (let i = 0; i < VERIFY_ENTRIES; i += 500) {
    await ledger.append(Array.from({ length: Math.min(500, VERIFY_ENTRIES - i) }, (_, j) => evaluation(i + j)));
  }
  await ledger.close();
  return { location, publicKey: key.publicKey };
}

/** The floor: read every row's stored bytes through pg, in pages of 2,000 by seq as verify does, and hash them. */
async function readAndHash(location: string): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    const start = performance.now();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let prev = GENESIS_HASH;
    let count = 0;
    for (let after = 0; ;) {
      const { rows } = await client.query<{ seq: string; hash: string; body: string }>('SELECT seq, hash, body FROM entries WHERE seq > $1 ORDER BY seq LIMIT 2000', [after]);
      if (rows.length === 0) break;
      for (const row of rows) {
        hash('sha256', prev + row.body, 'hex');
        prev = row.hash;
        count += 1;
      }
      after = Number(rows.at(-1)!.seq);
    }
    await client.query('ROLLBACK');
    rates.push(perSecond(count, performance.now() - start));
    await client.end();
  }
  return median(rates);
}

async function verifyRate(location: string, publicKey: ReturnType<typeof generateSigningKey>['publicKey']): Promise<{ rate: number; entries: number }> {
  const rates: number[] = [];
  let entries = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const report = await verifyLedger(location, { publicKey });
    if (!report.ok) throw new Error(`benchmark ledger does not verify: ${JSON.stringify(report.failure)}`);
    rates.push(perSecond(report.entries, performance.now() - start));
    entries = report.entries;
  }
  return { rate: median(rates), entries };
}

async function settings(): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers')");
  await client.end();
  return rows.map((r) => `${r.name}=${r.setting}`).join(', ');
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE ${database}`);
  try {
    process.stderr.write(`PostgreSQL ledger benchmark in database ${database} (${APPENDS} appends, ${VERIFY_ENTRIES} entries to verify, median of ${ROUNDS})\n`);
    const one = await compareAppends(1, APPENDS);
    const three = await compareAppends(WRITERS, APPENDS);
    const { location, publicKey } = await buildVerifyLedger();
    const floor = await readAndHash(location);
    const verify = await verifyRate(location, publicKey);
    const rows = [
      ['durable appends, 1 entry/transaction, one appender', `${fmt(one.ledger)}/s`, `raw single-row INSERTs through pg ${fmt(one.raw)}/s`, ratio(one.ledger, one.raw), '≥ 0.5×'],
      [`durable appends, ${WRITERS} appenders at once (separate pools, one chain)`, `${fmt(three.ledger)}/s`, `${WRITERS} raw inserters at once ${fmt(three.raw)}/s`, ratio(three.ledger, three.raw), '—'],
      ['verify PostgreSQL (every check and signature, canonical text included)', `${fmt(verify.rate)} entries/s`, `read rows through pg + SHA-256 ${fmt(floor)}/s`, ratio(verify.rate, floor), '≥ 0.4×'],
    ];
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    process.stdout.write([
      `Machine: ${cpus().length} cores (${cpu}), Node ${process.version}, ${process.platform}; PostgreSQL on loopback (${await settings()}); ${APPENDS} appends, ${fmt(verify.entries)} entries verified; median of ${ROUNDS}.`,
      '',
      '| measurement | ledger | floor (same run) | ratio | target |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
    ].join('\n'));
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

await main();
