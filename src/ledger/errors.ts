import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';

export type LedgerErrorCode =
  /** The file or its folder cannot be written. */
  | 'LEDGER_READ_ONLY'
  /** The disk (or the configured size cap) is full. */
  | 'LEDGER_FULL'
  /** The file is not a readable changeproof ledger. */
  | 'LEDGER_CORRUPT'
  /** Locked by another writer for too long, or cannot be opened at all. */
  | 'LEDGER_UNAVAILABLE'
  /** Written by a newer changeproof with migrations this version does not know. */
  | 'LEDGER_TOO_NEW'
  /** The ledger has signed checkpoints but its signing key is missing. */
  | 'LEDGER_KEY_MISSING'
  /** The signing key is not the key that signed the ledger's checkpoints. */
  | 'LEDGER_KEY_MISMATCH'
  /** An append carried something that cannot be recorded. */
  | 'LEDGER_INVALID_ENTRY'
  /** An NDJSON import did not verify or did not fit the target. */
  | 'LEDGER_IMPORT_REJECTED'
  /** The entries a write would build on or sign do not verify: they were changed outside changeproof. */
  | 'LEDGER_TAMPERED'
  | 'LEDGER_CLOSED';

/**
 * A ledger failure a person can act on: `message` says what happened and
 * `hint` what to do. The app refuses to acknowledge a webhook when an append
 * throws one, so GitHub redelivers it later.
 *
 * @example
 * try { await ledger.append(entry) } catch (e) {
 *   if (e instanceof LedgerError && e.code === 'LEDGER_FULL') alertOperator(e.hint);
 *   throw e;
 * }
 */
export class LedgerError extends Error {
  override name = 'LedgerError';
  readonly code: LedgerErrorCode;
  readonly hint: string;

  constructor(code: LedgerErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(`${message} ${hint}`, options);
    this.code = code;
    this.hint = hint;
  }
}

/** SQLite's extended result codes as better-sqlite3 reports them (`SqliteError.code`). */
function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns a storage failure into a {@link LedgerError}; a `LedgerError` passes
 * through unchanged. `doing` completes "Could not … the ledger at PATH".
 */
export function toLedgerError(error: unknown, path: string, doing: string): LedgerError {
  if (error instanceof LedgerError) return error;
  const code = sqliteCode(error);
  const where = `Could not ${doing} the ledger at ${path}`;
  const cause = { cause: error };
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new LedgerError(
      'LEDGER_READ_ONLY',
      `${where}: it is read-only (${detail}).`,
      `Make the file and its folder writable by this process (SQLite also writes ${path}-wal and ${path}-shm beside it), or set LEDGER_PATH to a writable location.`,
      cause,
    );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || (code === 'SQLITE_IOERR_WRITE' && /space/i.test(detail))) {
    return new LedgerError(
      'LEDGER_FULL',
      `${where}: the disk or the ledger's size limit is full; nothing was written.`,
      'Free disk space (or raise the size limit) and retry; unacknowledged webhooks will be redelivered.',
      cause,
    );
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new LedgerError(
      'LEDGER_CORRUPT',
      `${where}: the file is not a readable SQLite database (${detail}).`,
      'Restore it from a backup or an NDJSON export (`changeproof ledger-export`), then run `changeproof verify`.',
      cause,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LedgerError(
      'LEDGER_UNAVAILABLE',
      `${where}: another process held its write lock past the busy timeout.`,
      'Retry; if it persists, look for a stuck process holding the file open.',
      cause,
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT' || code === 'ENOTDIR') {
    const folderReadOnly = !writable(dirname(path));
    return new LedgerError(
      folderReadOnly ? 'LEDGER_READ_ONLY' : 'LEDGER_UNAVAILABLE',
      `${where}: SQLite cannot open it (${detail}).`,
      folderReadOnly
        ? `Make the folder ${dirname(path)} writable, or set LEDGER_PATH to a writable location.`
        : 'Check that LEDGER_PATH names a file in an existing, accessible folder.',
      cause,
    );
  }
  return new LedgerError(
    'LEDGER_UNAVAILABLE',
    `${where}: ${detail}.`,
    'Check the disk and the file, then retry; run `changeproof verify` if the file may be damaged.',
    cause,
  );
}

/** The error every method of a closed ledger throws. */
export function closedError(path: string): LedgerError {
  return new LedgerError('LEDGER_CLOSED', `The ledger at ${path} is closed.`, 'Open it again with SqliteLedger.open().');
}

/** Normalises an ISO-8601 bound to the stored form so text comparison is time comparison. */
export function isoBound(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new LedgerError('LEDGER_INVALID_ENTRY', `The read bound ${name}=${JSON.stringify(value)} is not an ISO-8601 time.`,
      'Use a form such as 2026-03-01 or 2026-03-01T00:00:00Z.');
  }
  return new Date(ms).toISOString();
}
