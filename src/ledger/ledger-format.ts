import { open } from 'node:fs/promises';
import { LedgerError } from './errors.js';
import { isDatabaseUrl } from './ledger-location.js';

export type LedgerFormat = 'sqlite' | 'ndjson' | 'postgres';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** `postgres` for a postgres:// URL; `sqlite` when the file starts with SQLite's header string, else `ndjson`. */
export async function detectLedgerFormat(path: string): Promise<LedgerFormat> {
  if (isDatabaseUrl(path)) return 'postgres';
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(SQLITE_MAGIC.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.toString('latin1', 0, bytesRead) === SQLITE_MAGIC ? 'sqlite' : 'ndjson';
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new LedgerError('LEDGER_UNAVAILABLE', `Cannot read ${path}: ${(error as Error).message}.`,
      'Pass the ledger file (SQLite) or an NDJSON export.', { cause: error });
  }
}
