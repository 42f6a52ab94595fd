import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError, toLedgerError } from './errors.js';
import { tightenMode } from './file-mode.js';
import { LEDGER_APPLICATION_ID, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

export interface ConnectionOptions {
  /** WAL `synchronous`: FULL (default) syncs the WAL on every commit, so an acknowledged append survives power loss. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /** Caps the file (via `PRAGMA max_page_count`); appends past it fail with LEDGER_FULL. */
  maxSizeBytes?: number;
}

/**
 * Opens (creating folder and file when absent) a ledger for writing: WAL,
 * the chosen `synchronous`, a busy timeout, migrations, and a probe write
 * lock so a read-only file fails here, clearly, rather than at the first
 * webhook.
 *
 * @example
 * const db = openWritable('./data/ledger.db', { synchronous: 'FULL' });
 */
export function openWritable(path: string, options: ConnectionOptions = {}): Database.Database {
  const memory = path === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!memory) {
      mkdirSync(dirname(path), { recursive: true });
      if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
      keepOwnerOnly(path);
    }
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    migrate(db, path);
    if (options.maxSizeBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`);
    }
    // An up-to-date ledger on a read-only file would otherwise open "fine".
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (error) {
    db?.close();
    throw toLedgerError(error, path, 'open');
  }
}

/**
 * The ledger holds every delivery's payload (the inbox) and the evidence of
 * every change: only its owner may read it. SQLite creates the file 0644 (less
 * the umask) and gives its `-wal` and `-shm` files the database file's mode,
 * so the file is created here, empty and 0600, before SQLite opens it (SQLite
 * takes an empty file for a new database). Files an earlier version or an
 * operator left readable by others are tightened to their owner's bits;
 * where that is impossible (another owner, a read-only mount) they are used
 * as they are.
 */
function keepOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) tightenMode(file);
}

/**
 * Opens an existing ledger read-only (verify, export, a reader beside the
 * writer). Never creates or migrates anything.
 */
export function openReadOnly(path: string, options: Pick<ConnectionOptions, 'busyTimeoutMs'> = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== LEDGER_APPLICATION_ID) {
      throw new LedgerError('LEDGER_CORRUPT', `${path} is a SQLite database, but not a changeproof ledger.`,
        'Pass the ledger file (LEDGER_PATH of the app) or an NDJSON export.');
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (version > latest) {
      throw new LedgerError('LEDGER_TOO_NEW', `The ledger at ${path} has schema version ${version}; this changeproof knows up to ${latest}.`,
        'Upgrade changeproof to read it.');
    }
    return db;
  } catch (error) {
    db?.close();
    throw toLedgerError(error, path, 'read');
  }
}
