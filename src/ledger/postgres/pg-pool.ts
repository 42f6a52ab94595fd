import type { Pool, PoolClient, PoolConfig } from 'pg';
import { LedgerError } from '../errors.js';
import { printableLocation } from '../ledger-location.js';

/**
 * The advisory-lock namespace of changeproof ("CPLG" as a 32-bit integer),
 * used with PostgreSQL's two-key advisory locks; the one-key (bigint) space,
 * which does not overlap it, holds the per-repository work claims.
 */
export const LOCK_NAMESPACE = 0x43504c47;
/** Taken (transaction-scoped) by every append and checkpoint: one writer extends the chain at a time. */
export const APPEND_LOCK = 1;
/** Taken (transaction-scoped) while the schema is migrated. */
export const MIGRATE_LOCK = 2;

/**
 * The `pg` driver, loaded on first use so that nothing which never opens a
 * PostgreSQL ledger (SQLite users, `--help`, the Action) loads it.
 */
export async function loadPg(): Promise<typeof import('pg').default> {
  return (await import('pg')).default;
}

/**
 * A connection pool to the ledger's database. Idle connections that break
 * (a database restart) are logged by the pool's owner, never thrown at the
 * process: the next query gets a fresh connection.
 */
export async function createPool(url: string, config: Omit<PoolConfig, 'connectionString'> = {}): Promise<Pool> {
  const pg = await loadPg();
  const pool = new pg.Pool({ connectionString: url, application_name: 'changeproof', ...config });
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction on one pooled connection; rolls back on any failure. */
export async function inTransaction<T>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a driver error, or the Node error code of a connection failure. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * A PostgreSQL failure as a {@link LedgerError} a person can act on; a
 * `LedgerError` passes through. The URL is printed without its password.
 */
export function toPgLedgerError(error: unknown, url: string, doing: string): LedgerError {
  if (error instanceof LedgerError) return error;
  const code = codeOf(error);
  const where = `Could not ${doing} the ledger at ${printableLocation(url)}`;
  const detail = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (code === '53100') {
    return new LedgerError('LEDGER_FULL', `${where}: the database's disk is full; nothing was written.`,
      'Free space on the database server and retry; unacknowledged webhooks will be redelivered.', cause);
  }
  if (code === '42501' || code === '25006') {
    return new LedgerError('LEDGER_READ_ONLY', `${where}: the database refused the write (${detail}).`,
      'Give the role INSERT on the ledger tables (docs/deploying.md lists the grants), or connect to the primary, not a standby.', cause);
  }
  if (code === 'P0001' && /append-only/.test(detail)) {
    return new LedgerError('LEDGER_INVALID_ENTRY', `${where}: ${detail}.`, 'Ledger entries are never changed or removed; append new ones.', cause);
  }
  if (code === '3D000' || code === '28P01' || code === '28000') {
    return new LedgerError('LEDGER_UNAVAILABLE', `${where}: ${detail}.`,
      'Check DATABASE_URL: the database must exist and the role must be allowed to connect.', cause);
  }
  if (code === '42P01' || code === 'LEDGER_NOT_MIGRATED') {
    return new LedgerError('LEDGER_CORRUPT', `${where}: the database holds no changeproof ledger (${detail}).`,
      'Point it at the database the app writes (DATABASE_URL of the app).', cause);
  }
  return new LedgerError('LEDGER_UNAVAILABLE', `${where}: ${detail}.`,
    'Check that the database is reachable and running, then retry.', cause);
}
