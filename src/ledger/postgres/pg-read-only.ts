import type { Pool, PoolClient } from 'pg';
import { ChainVerifier, type VerifyReport } from '../chain-verifier.js';
import type { CheckpointKeyClaim } from '../checkpoint-keys.js';
import { parseSignedCheckpoint } from '../checkpoint.js';
import { parseEntryBody, readEntryHeader } from '../entry-text.js';
import { GENESIS_HASH } from '../hash.js';
import type { CheckpointRecord, LedgerHead } from '../ledger.js';
import { writeNdjsonLines } from '../ndjson.js';
import { toLine } from '../sqlite-reader.js';
import type { VerifyNdjsonOptions } from '../verify-ndjson.js';
import { checkpointFromRow } from './pg-chain-writer.js';
import { checkPostgresSchema } from './pg-migrate.js';
import { createPool, toPgLedgerError } from './pg-pool.js';
import { iterateStoredPg } from './pg-reader.js';

const PAGE = 2000;
const PROGRESS_EVERY = 8192;

/**
 * Read-only access to a PostgreSQL ledger for the CLI (verify, ledger-export,
 * public-key, checkpoint): it never migrates, locks or signs, and reads in
 * one REPEATABLE READ snapshot, so it is safe while replicas append.
 */
async function withReadOnly<T>(url: string, doing: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = await createPool(url, { max: 2 });
  try {
    await checkPostgresSchema(pool, url);
    return await work(pool);
  } catch (error) {
    throw toPgLedgerError(error, url, doing);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Verifies a PostgreSQL ledger exactly as a SQLite one: the same
 * {@link ChainVerifier} is fed every row's stored body, hash and indexed
 * columns (canonical text, hashes, order, checkpoints, signatures).
 *
 * @example
 * const report = await verifyPostgres('postgres://…/ledger', { publicKey });
 */
export async function verifyPostgres(url: string, options: VerifyNdjsonOptions): Promise<VerifyReport> {
  return withReadOnly(url, 'verify', async (pool) => {
    const verifier = new ChainVerifier(options);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await feed(client, verifier, options.onProgress);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    return verifier.finish();
  });
}

async function feed(client: PoolClient, verifier: ChainVerifier, onProgress?: (n: number) => void): Promise<void> {
  let count = 0;
  for (let after = 0; ;) {
    const { rows } = await client.query<{ seq: string; recorded_at: string; kind: string; repo: string | null; hash: string; body: string }>(
      'SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2', [after, PAGE]);
    if (rows.length === 0) return;
    for (const { seq, recorded_at, kind, repo, hash, body } of rows) {
      if (!verifier.add({ body, hash, columns: { seq: Number(seq), recorded_at, kind, repo } })) return;
      if (++count % PROGRESS_EVERY === 0) onProgress?.(count);
    }
    after = Number(rows.at(-1)!.seq);
  }
}

/** Writes a PostgreSQL ledger as NDJSON (one snapshot); resolves with the count and the last entry written. */
export async function exportPostgres(
  url: string,
  out: NodeJS.WritableStream,
  options: { fromSeq?: number; onProgress?: (count: number) => void } = {},
): Promise<{ entries: number; head: LedgerHead }> {
  return withReadOnly(url, 'export', async (pool) => {
    let last: LedgerHead = { size: 0, hash: GENESIS_HASH };
    async function* lines(): AsyncGenerator<string> {
      for await (const stored of iterateStoredPg(pool, { fromSeq: options.fromSeq })) {
        last = { size: readEntryHeader(stored.body)?.seq ?? Number(stored.seq), hash: stored.hash };
        yield toLine(stored);
      }
    }
    const entries = await writeNdjsonLines(lines(), out, options.onProgress);
    return { entries, head: last };
  });
}

/** Every checkpoint's key claim, newest first (see checkpoint-keys.ts). */
export async function readCheckpointKeysPg(url: string): Promise<CheckpointKeyClaim[]> {
  return withReadOnly(url, 'read', async (pool) => {
    const { rows } = await pool.query<{ seq: string; body: string }>("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC");
    const claims: CheckpointKeyClaim[] = [];
    for (const row of rows) {
      const checkpoint = parseSignedCheckpoint(parseEntryBody(row.body)?.data);
      if (checkpoint) claims.push({ seq: Number(row.seq), keyId: checkpoint.key_id, publicKey: checkpoint.public_key ?? null });
    }
    return claims;
  });
}

/** The latest signed checkpoint of a PostgreSQL ledger, or null. */
export async function latestCheckpointPg(url: string): Promise<CheckpointRecord | null> {
  return withReadOnly(url, 'read', async (pool) => {
    const { rows } = await pool.query<{ seq: string; body: string }>("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1");
    return checkpointFromRow(rows[0]);
  });
}
