import type { KeyObject } from 'node:crypto';
import type { PoolClient } from 'pg';
import { ChainVerifier, type VerifyReport } from '../chain-verifier.js';
import { readEntryHeader, splitEntryLine } from '../entry-text.js';
import { LedgerError } from '../errors.js';
import { printableLocation } from '../ledger-location.js';
import type { InboxItem } from '../inbox.js';
import { migratePostgres } from './pg-migrate.js';
import { APPEND_LOCK, LOCK_NAMESPACE, createPool, inTransaction, toPgLedgerError } from './pg-pool.js';

const BATCH = 1000;

/** What moves with the chain: which deliveries produced which entries, and the inbox (pending work and redelivery ids). */
export interface ImportExtras {
  deliveries?: AsyncIterable<{ delivery_id: string; seq: number }> | Iterable<{ delivery_id: string; seq: number }>;
  inbox?: Iterable<InboxItem & { completedAt: string | null }>;
}

interface Row {
  seq: number;
  recorded_at: string;
  kind: string;
  repo: string | null;
  subject: string;
  hash: string;
  body: string;
}

/**
 * Copies a ledger, line by NDJSON line, into an EMPTY PostgreSQL ledger (the
 * schema is created when absent), checking every line as `verify
 * --canonical` does with `publicKey` (without one, each checkpoint against
 * the key the ledger carries) before it is written, all in one
 * transaction under the append lock: a fault anywhere writes nothing, and no
 * replica can append meanwhile. Entries are stored exactly as read (the text
 * that was hashed and signed), so the chain and its checkpoints are the same
 * chain. Resolves with the verification report of what was copied.
 *
 * @example
 * await importIntoPostgres('postgres://…/ledger', linesOf('ledger.db'), publicKey, { deliveries, inbox });
 */
export async function importIntoPostgres(url: string, lines: AsyncIterable<string>, publicKey: KeyObject | undefined, extras: ImportExtras = {}): Promise<VerifyReport> {
  const pool = await createPool(url, { max: 1 });
  try {
    await migratePostgres(pool, url);
    return await inTransaction(pool, 'BEGIN', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, APPEND_LOCK]);
      const existing = await client.query('SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM inbox) AS n');
      if (Number(existing.rows[0].n) > 0) {
        throw new LedgerError('LEDGER_IMPORT_REJECTED', `The ledger at ${printableLocation(url)} is not empty.`,
          'Migrate into a new database (or schema); a migration never merges two chains.');
      }
      const verifier = new ChainVerifier({ publicKey, canonical: true });
      let batch: Row[] = [];
      for await (const line of lines) {
        if (!verifier.add({ line })) break;
        const stored = splitEntryLine(line);
        const header = stored ? readEntryHeader(stored.body) : null;
        if (!stored || !header) continue; // the verifier has failed already
        batch.push({ seq: header.seq, recorded_at: header.recorded_at, kind: header.kind, repo: header.repo, subject: header.subject, hash: stored.hash, body: stored.body });
        if (batch.length >= BATCH) batch = await insertBatch(client, batch);
      }
      const report = verifier.finish();
      if (report.failure) {
        const f = report.failure;
        throw new LedgerError('LEDGER_IMPORT_REJECTED', `The source does not verify: seq ${f.seq}: ${f.reason}: ${f.message}.`,
          'Nothing was written. Check the source with `changeproof verify`.');
      }
      await insertBatch(client, batch);
      await copyDeliveries(client, extras.deliveries ?? []);
      for (const item of extras.inbox ?? []) {
        await client.query('INSERT INTO inbox (delivery_id, event, payload, accepted_at, completed_at, attempts, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [item.deliveryId, item.event, item.payloadJson, item.acceptedAt, item.completedAt, item.attempts, item.lastError]);
      }
      return report;
    });
  } catch (error) {
    throw toPgLedgerError(error, url, 'migrate into');
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function insertBatch(client: PoolClient, rows: Row[]): Promise<Row[]> {
  if (rows.length === 0) return [];
  const indexed = rows.filter((r) => r.repo !== null);
  await client.query(`
    WITH e AS (
      INSERT INTO entries (seq, recorded_at, kind, repo, hash, body)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    )
    INSERT INTO entry_subjects (repo, subject, seq) SELECT * FROM unnest($7::text[], $8::text[], $9::bigint[])`, [
    rows.map((r) => r.seq), rows.map((r) => r.recorded_at), rows.map((r) => r.kind), rows.map((r) => r.repo), rows.map((r) => r.hash), rows.map((r) => r.body),
    indexed.map((r) => r.repo), indexed.map((r) => r.subject), indexed.map((r) => r.seq),
  ]);
  return [];
}

async function copyDeliveries(client: PoolClient, deliveries: NonNullable<ImportExtras['deliveries']>): Promise<void> {
  let ids: string[] = [];
  let seqs: number[] = [];
  const flush = async () => {
    if (ids.length) await client.query('INSERT INTO deliveries (delivery_id, seq) SELECT * FROM unnest($1::text[], $2::bigint[])', [ids, seqs]);
    ids = [];
    seqs = [];
  };
  for await (const { delivery_id, seq } of deliveries) {
    ids.push(delivery_id);
    seqs.push(seq);
    if (ids.length >= BATCH) await flush();
  }
  await flush();
}
