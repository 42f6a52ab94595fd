// Ledger benchmark: `npx tsx bench/ledger.ts` (or `npm run bench:ledger`).
// Prints each figure next to the floor it is compared to, measured in the same
// run on the same disk:
//   - durable appends (one entry per transaction, as the app records a webhook)
//     vs raw better-sqlite3 single-row inserts with the same `synchronous` — target ≥ 0.5×;
//   - batched appends (100 entries per transaction);
//   - verify entries/s — every check, the RFC 8785 canonical-text check of every
//     entry included — vs reading the same rows or lines and hashing them with
//     SHA-256 ("read + SHA-256") — target ≥ 0.4× — and vs raw SHA-256 over bytes
//     already in memory (a stricter reference).
// Options: --appends N (default 1500), --entries N for verify (default 100000).
import Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluation, fmt, median, perSecond, ratio } from './ledger-entries.js';

// The compiled ledger in lib/, as `changeproof verify` and the app run it (`npm run bench:ledger` builds it first).
const lib = <T,>(path: string): Promise<T> => import(new URL(`../lib/ledger/${path}`, import.meta.url).href) as Promise<T>;
const { exportLedgerFile } = await lib<typeof import('../src/ledger/ledger-file.js')>('ledger-file.js');
const { openReadOnly } = await lib<typeof import('../src/ledger/sqlite-connection.js')>('sqlite-connection.js');
const { SqliteLedger } = await lib<typeof import('../src/ledger/sqlite-ledger.js')>('sqlite-ledger.js');
const { publicKeyFromPem } = await lib<typeof import('../src/ledger/signing-key.js')>('signing-key.js');
const { verifyLedger } = await lib<typeof import('../src/ledger/verify.js')>('verify.js');
const { GENESIS_HASH } = await lib<typeof import('../src/ledger/hash.js')>('hash.js');
const { readNdjsonLines } = await lib<typeof import('../src/ledger/ndjson.js')>('ndjson.js');

const { values } = parseArgs({ options: { appends: { type: 'string' }, entries: { type: 'string' } } });
const APPENDS = Number(values.appends ?? 1500);
const VERIFY_ENTRIES = Number(values.entries ?? 100_000);
const ROUNDS = 5;
const dir = mkdtempSync(join(tmpdir(), 'changeproof-bench-'));


async function ledgerAppends(sync: 'FULL' | 'NORMAL', round: number, batch: number, count: number): Promise<number> {
  const ledger = SqliteLedger.open(join(dir, `append-${sync}-${batch}-${round}.db`), { synchronous: sync });
  const start = performance.now();
  for (let i = 0; i < count; i += batch) {
    const inputs = Array.from({ length: batch }, (_, j) => evaluation(i + j));
    await ledger.append(inputs, { deliveryId: `delivery-${i}` });
  }
  const ms = performance.now() - start;
  await ledger.close();
  return perSecond(count, ms);
}

function rawInserts(sync: 'FULL' | 'NORMAL', round: number, count: number, body: string): number {
  const db = new Database(join(dir, `raw-${sync}-${round}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  const start = performance.now();
  for (let i = 0; i < count; i++) insert.run(body); // autocommit: one transaction per row
  const ms = performance.now() - start;
  db.close();
  return perSecond(count, ms);
}

async function compareAppends(sync: 'FULL' | 'NORMAL', count: number) {
  const body = JSON.stringify(evaluation(0));
  const ledger: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate, so disk weather affects both alike.
    raw.push(rawInserts(sync, round, count, body));
    ledger.push(await ledgerAppends(sync, round, 1, count));
  }
  return { ledger: median(ledger), raw: median(raw) };
}

async function buildVerifyLedger(): Promise<{ path: string; pem: string }> {
  const path = join(dir, 'verify.db');
  const ledger = SqliteLedger.open(path, { synchronous: 'NORMAL' });
  for (let i = 0; i < VERIFY_ENTRIES; i += 500) {
    await ledger.append(Array.from({ length: Math.min(500, VERIFY_ENTRIES - i) }, (_, j) => evaluation(i + j)));
  }
  const pem = ledger.publicKeyPem();
  await ledger.close();
  return { path, pem };
}

/** The strict floor: SHA-256 of exactly the bytes verify hashes (prev_hash ‖ body), already in memory. */
function rawSha256(path: string): { perSecond: number; entries: number } {
  const db = openReadOnly(path);
  let prev = GENESIS_HASH;
  const inputs = db.prepare<[], { hash: string; body: string }>('SELECT hash, body FROM entries ORDER BY seq').all().map((row) => {
    const bytes = Buffer.from(prev + row.body, 'utf8');
    prev = row.hash;
    return bytes;
  });
  db.close();
  return { perSecond: best(() => {
    for (const bytes of inputs) hash('sha256', bytes, 'hex');
    return inputs.length;
  }), entries: inputs.length };
}

/** The I/O floor for a SQLite file: read each row's stored bytes (in pages, as verify does) and hash them, nothing else. */
function readAndHashSqlite(path: string): number {
  return best(() => {
    const db = openReadOnly(path);
    const page = db.prepare<[number], [number, string, string]>('SELECT seq, hash, body FROM entries WHERE seq > ? ORDER BY seq LIMIT 1000').raw();
    let prev = GENESIS_HASH;
    let count = 0;
    for (let after = 0, rows = page.all(after); rows.length > 0; after = rows.at(-1)![0], rows = page.all(after)) {
      for (const [, h, body] of rows) {
        hash('sha256', prev + body, 'hex');
        prev = h;
        count += 1;
      }
    }
    db.close();
    return count;
  });
}

/** The I/O floor for NDJSON: stream the file into lines and hash each line, nothing else. */
async function readAndHashNdjson(path: string): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    let count = 0;
    for await (const line of readNdjsonLines(createReadStream(path))) {
      hash('sha256', line.text, 'hex');
      count += 1;
    }
    rates.push(perSecond(count, performance.now() - start));
  }
  return median(rates);
}

/** Median rate of `work` (which returns how many items it did) over ROUNDS runs. */
function best(work: () => number): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const count = work();
    rates.push(perSecond(count, performance.now() - start));
  }
  return median(rates);
}

async function verifyRate(source: string, pem: string, canonical: boolean): Promise<number> {
  const publicKey = publicKeyFromPem(pem);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const report = await verifyLedger(source, { publicKey, canonical });
    if (!report.ok) throw new Error(`benchmark ledger does not verify: ${JSON.stringify(report.failure)}`);
    rates.push(perSecond(report.entries, performance.now() - start));
  }
  return median(rates);
}

async function main(): Promise<void> {
  process.stderr.write(`Ledger benchmark in ${dir} (${APPENDS} appends, ${VERIFY_ENTRIES} entries to verify, median of ${ROUNDS})\n`);
  const full = await compareAppends('FULL', APPENDS);
  const normal = await compareAppends('NORMAL', APPENDS * 5);
  const batchedRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) batchedRuns.push(await ledgerAppends('FULL', round, 100, APPENDS * 10));
  const batched = median(batchedRuns);
  const { path, pem } = await buildVerifyLedger();
  const ndjson = join(dir, 'verify.ndjson');
  const out = createWriteStream(ndjson);
  await exportLedgerFile(path, out);
  out.end();
  await finished(out);
  const sha = rawSha256(path);
  const sqliteFloor = readAndHashSqlite(path);
  const ndjsonFloor = await readAndHashNdjson(ndjson);
  const verifySqlite = await verifyRate(path, pem, false);
  const verifyNdjson = await verifyRate(ndjson, pem, false);
  const verifyCanonical = await verifyRate(ndjson, pem, true);

  const rows = [
    ['durable appends, 1 entry/transaction, synchronous=FULL', `${fmt(full.ledger)}/s`, `raw single-row inserts ${fmt(full.raw)}/s`, ratio(full.ledger, full.raw), '≥ 0.5×'],
    ['same, synchronous=NORMAL (not durable on power loss; for reference)', `${fmt(normal.ledger)}/s`, `raw single-row inserts ${fmt(normal.raw)}/s`, ratio(normal.ledger, normal.raw), '—'],
    ['batched appends, 100 entries/transaction, FULL', `${fmt(batched)} entries/s`, '', '', '—'],
    ['verify SQLite (every check and signature, canonical text included)', `${fmt(verifySqlite)} entries/s`, `read rows + SHA-256 ${fmt(sqliteFloor)}/s`, ratio(verifySqlite, sqliteFloor), '≥ 0.4×'],
    ['  the same', '', `raw SHA-256 in memory ${fmt(sha.perSecond)}/s`, ratio(verifySqlite, sha.perSecond), '—'],
    ['verify NDJSON file (every check and signature, canonical text included)', `${fmt(verifyNdjson)} entries/s`, `read lines + SHA-256 ${fmt(ndjsonFloor)}/s`, ratio(verifyNdjson, ndjsonFloor), '≥ 0.4×'],
    ['  the same', '', `raw SHA-256 in memory ${fmt(sha.perSecond)}/s`, ratio(verifyNdjson, sha.perSecond), '—'],
    ['verify NDJSON --canonical (also re-serialises every entry with canonicalize)', `${fmt(verifyCanonical)} entries/s`, `read lines + SHA-256 ${fmt(ndjsonFloor)}/s`, ratio(verifyCanonical, ndjsonFloor), '—'],
  ];
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  process.stdout.write([
    `Machine: ${cpus().length} cores (${cpu}), Node ${process.version}, ${process.platform}; ${APPENDS} appends, ${fmt(sha.entries)} entries verified; median of ${ROUNDS}.`,
    '',
    '| measurement | ledger | floor (same run) | ratio | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n'));
  rmSync(dir, { recursive: true, force: true });
}

await main();
