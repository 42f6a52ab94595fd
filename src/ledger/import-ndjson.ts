import type { Database } from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { ChainVerifier } from './chain-verifier.js';
import { bodyOf, readCanonicalEntry, storedHashOf, type CanonicalEntry } from './entry-text.js';
import { LedgerError, toLedgerError } from './errors.js';
import type { LedgerHead } from './ledger.js';
import { InvalidUtf8Error, isCutShort, readNdjsonLines, type ChunkSource, type NdjsonLine } from './ndjson.js';

export interface ImportResult {
  entries: number;
  checkpoints: number;
  head: LedgerHead;
}

/**
 * Imports an NDJSON export into an EMPTY SQLite ledger in one transaction,
 * checking it exactly as `verify --canonical` does, with the target's public
 * key (so the imported checkpoints and the ones the target signs later verify
 * with one key). Any fault rolls everything back. Delivery ids are not part
 * of the interchange format, so idempotency of past deliveries is not carried.
 *
 * @example
 * await ledger.importNdjson(createReadStream('ledger.ndjson'));
 */
export async function importNdjson(
  db: Database, path: string, publicKey: KeyObject, input: ChunkSource,
): Promise<ImportResult> {
  const insert = db.prepare<[number, string, string, string | null, string, string]>(
    'INSERT INTO entries (seq, recorded_at, kind, repo, hash, body) VALUES (?, ?, ?, ?, ?, ?)');
  const insertSubject = db.prepare<[string, string, number]>('INSERT INTO entry_subjects (repo, subject, seq) VALUES (?, ?, ?)');
  const verifier = new ChainVerifier({ publicKey, canonical: true });
  db.exec('BEGIN IMMEDIATE');
  try {
    if (db.prepare('SELECT 1 FROM entries LIMIT 1').get() !== undefined) {
      throw new LedgerError('LEDGER_IMPORT_REJECTED', `The ledger at ${path} is not empty.`,
        'Import into a new ledger file; an import never merges two chains.');
    }
    const lines = readNdjsonLines(input);
    for await (const line of withInvalidUtf8(lines, verifier)) {
      if (isCutShort(line)) {
        verifier.addUnreadable(`line ${line.number} is cut short (no newline, not JSON)`, true);
        break;
      }
      if (!verifier.add({ line: line.text })) break;
      if (verifier.failed) continue; // a provisional gap: keep reading only to classify it
      // Verified, so exactly canonical: the body is stored as read.
      const entry = readCanonicalEntry(line.text, 'line') as CanonicalEntry;
      const h = entry.header;
      insert.run(h.seq, h.recorded_at, h.kind, h.repo, storedHashOf(line.text, entry)!, bodyOf(line.text, entry));
      if (h.repo !== null) insertSubject.run(h.repo, h.subject, h.seq);
    }
    const report = verifier.finish();
    if (report.failure) {
      const f = report.failure;
      throw new LedgerError('LEDGER_IMPORT_REJECTED', `The NDJSON does not verify: seq ${f.seq}: ${f.reason}: ${f.message}.`,
        "Nothing was imported. Check it with `changeproof verify`; its checkpoints must be signed by this ledger's key.");
    }
    db.exec('COMMIT');
    return { entries: report.entries, checkpoints: report.checkpoints, head: { size: report.lastSeq, hash: report.headHash } };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw toLedgerError(error, path, 'import into');
  }
}

/** The lines; bytes that are not valid UTF-8 end them, as a malformed entry the verifier reports. */
async function* withInvalidUtf8(lines: AsyncIterable<NdjsonLine>, verifier: ChainVerifier): AsyncGenerator<NdjsonLine> {
  try {
    yield* lines;
  } catch (error) {
    if (!(error instanceof InvalidUtf8Error)) throw error;
    verifier.addUnreadable(error.message, false);
  }
}
