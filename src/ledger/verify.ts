import { createReadStream } from 'node:fs';
import { ChainVerifier, type VerifyReport } from './chain-verifier.js';
import { toLedgerError } from './errors.js';
import { detectLedgerFormat, type LedgerFormat } from './ledger-format.js';

export { detectLedgerFormat, type LedgerFormat };
import type { ChunkSource } from './ndjson.js';
import { verifyNdjson, type VerifyNdjsonOptions } from './verify-ndjson.js';
import { openReadOnly } from './sqlite-connection.js';

export type VerifyLedgerOptions = VerifyNdjsonOptions;


const PROGRESS_EVERY = 8192;
const PAGE = 1000;

/**
 * Verifies a ledger — a SQLite file, a PostgreSQL URL, an NDJSON file, or an NDJSON stream —
 * with nothing but its entries and the public key. Resolves with a report
 * whose `failure` names the FIRST bad sequence number and why; rejects only
 * when the input cannot be read at all (a `LedgerError`).
 *
 * @example
 * const report = await verifyLedger('ledger.ndjson', { publicKey: publicKeyFromPem(pem) });
 * if (!report.ok) console.error(`seq ${report.failure.seq}: ${report.failure.reason}`);
 */
export async function verifyLedger(
  source: string | ChunkSource,
  options: VerifyLedgerOptions,
): Promise<VerifyReport & { format: LedgerFormat }> {
  if (typeof source !== 'string') return { ...(await verifyNdjson(source, options)), format: 'ndjson' };
  const format = await detectLedgerFormat(source);
  if (format === 'postgres') {
    // Loaded only for a database URL: the driver stays out of everything else.
    const { verifyPostgres } = await import('./postgres/pg-read-only.js');
    return { ...(await verifyPostgres(source, options)), format };
  }
  if (format === 'ndjson') return { ...(await verifyNdjson(createReadStream(source), options)), format };
  const verifier = new ChainVerifier(options);
  feedSqlite(verifier, source, options.onProgress);
  return { ...verifier.finish(), format };
}

type Row = [number, string, string, string | null, string, string];

/**
 * Rows in pages of {@link PAGE} by seq inside one read transaction: a
 * consistent snapshot, bounded memory, and fewer crossings into SQLite than
 * one `.iterate()` step per row.
 */
function feedSqlite(verifier: ChainVerifier, path: string, onProgress?: (n: number) => void): void {
  const db = openReadOnly(path);
  let count = 0;
  try {
    db.exec('BEGIN'); // one snapshot, even while the app appends
    const page = db.prepare<[number], Row>(
      `SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`).raw();
    for (let after = 0, rows = page.all(after); rows.length > 0; after = rows.at(-1)![0], rows = page.all(after)) {
      for (const [seq, recorded_at, kind, repo, hash, body] of rows) {
        if (!verifier.add({ body, hash, columns: { seq, recorded_at, kind, repo } })) return;
        if (++count % PROGRESS_EVERY === 0) onProgress?.(count);
      }
    }
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (!code.startsWith('SQLITE_CORRUPT')) throw toLedgerError(error, path, 'verify');
    verifier.addUnreadable(`the SQLite file is damaged: ${(error as Error).message}`, false);
  } finally {
    db.close();
  }
}
