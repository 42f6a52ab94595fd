import type { Database } from 'better-sqlite3';
import { LedgerError } from './errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** `PRAGMA application_id` of a changeproof ledger ("CPLG"), so other SQLite files are never mistaken for one. */
export const LEDGER_APPLICATION_ID = 0x43504c47;

/**
 * Brings the schema to the latest version: every migration newer than
 * `PRAGMA user_version` runs in its own `BEGIN IMMEDIATE` transaction that
 * also bumps the version, so a crash leaves the file at a whole version and
 * two processes opening a new ledger at once migrate it once.
 *
 * @example
 * migrate(new Database(':memory:'), ':memory:') // { from: 0, to: 2 }
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (appId !== LEDGER_APPLICATION_ID && (appId !== 0 || from !== 0 || hasTables(db))) {
    throw new LedgerError('LEDGER_CORRUPT', `${path} is a SQLite database, but not a changeproof ledger.`,
      'Point LEDGER_PATH at a changeproof ledger, or at a path where a new one can be created.');
  }
  if (from > latest) {
    throw new LedgerError('LEDGER_TOO_NEW', `The ledger at ${path} has schema version ${from}; this changeproof knows up to ${latest}.`,
      'Upgrade changeproof; never open a ledger with an older version than the one that wrote it.');
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;
      if (current !== migration.version - 1) throw new Error(`migration ${migration.version} found schema version ${current}`);
      db.exec(migration.sql);
      if (migration.version === 1) db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, latest) };
}

function hasTables(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== undefined;
}
