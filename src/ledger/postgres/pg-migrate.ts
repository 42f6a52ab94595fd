import type { Pool, PoolClient } from 'pg';
import { LedgerError } from '../errors.js';
import { printableLocation } from '../ledger-location.js';
import type { Migration } from '../migrations/migration.js';
import { LOCK_NAMESPACE, MIGRATE_LOCK, inTransaction } from './pg-pool.js';
import { PG_MIGRATIONS } from './pg-migrations.js';

/**
 * Brings a PostgreSQL ledger's schema to the latest version. Each migration
 * runs in its own transaction (PostgreSQL's DDL is transactional) holding an
 * advisory lock, and records itself in `changeproof_schema`; replicas
 * starting together migrate once. `changeproof_schema` is also what marks a
 * database as a changeproof ledger: tables of the same names without it are
 * refused rather than written into.
 *
 * @example
 * await migratePostgres(pool, url) // { from: 0, to: 2 }
 */
export async function migratePostgres(pool: Pool, url: string, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<{ from: number; to: number }> {
  const latest = migrations.at(-1)?.version ?? 0;
  // Up to date already: nothing to lock or create, so a role without the
  // right to create tables (docs/deploying.md) opens it.
  const present = await pool.query<{ present: boolean }>("SELECT to_regclass('changeproof_schema') IS NOT NULL AS present");
  if (present.rows[0]?.present) {
    const current = await schemaVersion(pool);
    if (current > latest) throw tooNew(url, current, latest);
    if (current === latest) return { from: current, to: current };
  }
  let from = -1;
  for (const migration of migrations) {
    await inTransaction(pool, 'BEGIN', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATE_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS changeproof_schema (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const current = await schemaVersion(client);
      if (from < 0) {
        from = current;
        if (current === 0 && (await client.query("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'entries'")).rowCount) {
          throw new LedgerError('LEDGER_CORRUPT', `${printableLocation(url)} has an entries table, but is not a changeproof ledger.`,
            'Give changeproof a database (or a schema, via search_path) of its own.');
        }
        if (current > latest) throw tooNew(url, current, latest);
      }
      if (current >= migration.version) return;
      if (current !== migration.version - 1) throw new Error(`migration ${migration.version} found schema version ${current}`);
      await client.query(migration.sql);
      await client.query('INSERT INTO changeproof_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    });
  }
  return { from: Math.max(from, 0), to: Math.max(from, latest) };
}

/** Checks, without changing anything, that the database holds a changeproof ledger this version can read. */
export async function checkPostgresSchema(client: Pool | PoolClient, url: string): Promise<number> {
  const exists = await client.query("SELECT to_regclass('changeproof_schema') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) {
    throw new LedgerError('LEDGER_CORRUPT', `${printableLocation(url)} holds no changeproof ledger.`,
      'Point --ledger at the database the app writes (its DATABASE_URL).');
  }
  const version = await schemaVersion(client);
  const latest = PG_MIGRATIONS.at(-1)?.version ?? 0;
  if (version > latest) throw tooNew(url, version, latest);
  return version;
}

async function schemaVersion(client: Pool | PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM changeproof_schema');
  return rows[0]?.version ?? 0;
}

function tooNew(url: string, version: number, latest: number): LedgerError {
  return new LedgerError('LEDGER_TOO_NEW', `The ledger at ${printableLocation(url)} has schema version ${version}; this changeproof knows up to ${latest}.`,
    'Upgrade changeproof; never run an older version against a ledger a newer one migrated.');
}
