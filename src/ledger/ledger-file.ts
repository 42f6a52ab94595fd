import { toLedgerError } from './errors.js';
import type { CheckpointRecord, LedgerHead } from './ledger.js';
import { writeNdjsonLines } from './ndjson.js';
import { openReadOnly } from './sqlite-connection.js';
import { iterateStored, latestCheckpointIn, toLine } from './sqlite-reader.js';
import { GENESIS_HASH } from './hash.js';
import { readEntryHeader } from './entry-text.js';
import { isDatabaseUrl } from './ledger-location.js';

/**
 * Read-only access to a SQLite ledger file (or, through pg-read-only.ts, a
 * PostgreSQL URL) for the CLI (export, checkpoint),
 * safe while the app writes to it: it never migrates, locks for writing or
 * signs anything. Exports in one read snapshot and resolves with the count
 * and the last entry exported (seq as `size`, and its hash).
 *
 * @example
 * const { entries } = await exportLedgerFile('./data/ledger.db', process.stdout);
 */
export async function exportLedgerFile(
  path: string,
  out: NodeJS.WritableStream,
  options: { fromSeq?: number; onProgress?: (count: number) => void } = {},
): Promise<{ entries: number; head: LedgerHead }> {
  if (isDatabaseUrl(path)) {
    const { exportPostgres } = await import('./postgres/pg-read-only.js');
    return exportPostgres(path, out, options);
  }
  const db = openReadOnly(path);
  try {
    let last: LedgerHead = { size: 0, hash: GENESIS_HASH };
    async function* lines(): AsyncGenerator<string> {
      for (const stored of iterateStored(db, { fromSeq: options.fromSeq })) {
        last = { size: readEntryHeader(stored.body)?.seq ?? last.size + 1, hash: stored.hash };
        yield toLine(stored);
      }
    }
    const entries = await writeNdjsonLines(lines(), out, options.onProgress);
    return { entries, head: last };
  } catch (error) {
    throw toLedgerError(error, path, 'export');
  } finally {
    db.close();
  }
}

/** The latest signed checkpoint of a ledger at a PostgreSQL URL, or null. */
export async function latestCheckpointAt(url: string): Promise<CheckpointRecord | null> {
  const { latestCheckpointPg } = await import('./postgres/pg-read-only.js');
  return latestCheckpointPg(url);
}

/** The latest signed checkpoint recorded in a ledger file, or null. */
export function latestCheckpointInFile(path: string): CheckpointRecord | null {
  const db = openReadOnly(path);
  try {
    return latestCheckpointIn(db);
  } catch (error) {
    throw toLedgerError(error, path, 'read');
  } finally {
    db.close();
  }
}
