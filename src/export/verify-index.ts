import { ChainVerifier, type VerifyReport } from '../ledger/chain-verifier.js';
import { readEntryHeader } from '../ledger/entry-text.js';
import { publicKeyFromPem } from '../ledger/signing-key.js';
import { openReadOnly } from '../ledger/sqlite-connection.js';
import { indexSubject, type SubjectIndex, type SubjectLookup } from './subject-index.js';

export interface IndexedVerification {
  report: VerifyReport;
  subjects: SubjectIndex;
}

/** What the export gets back: the report, and a one-time lookup into the index (wherever it lives). */
export interface VerifiedLedger {
  report: VerifyReport;
  /** Answers once; later calls answer nothing. */
  lookup: SubjectLookup;
  /** Lets go of the index (ends its worker thread); safe to call at any time. */
  release(): Promise<void>;
}

/**
 * Verifies a SQLite ledger up to `toSeq` (the hash chain and every
 * checkpoint signature) and indexes the entries about population items. Runs
 * in a worker thread beside the export's own reading (verify-worker.ts), or
 * in line where there is no compiled worker.
 */
export function verifyAndIndexSqlite(path: string, publicKeyPem: string, toSeq: number): IndexedVerification {
  const verifier = new ChainVerifier({ publicKey: publicKeyFromPem(publicKeyPem) });
  const subjects: SubjectIndex = new Map();
  const db = openReadOnly(path);
  try {
    db.exec('BEGIN'); // one snapshot, even while the app appends
    // The filter columns go to the verifier too: the export selects by `kind`
    // and `repo`, so a column that disagrees with the hashed entry must fail
    // here (index_mismatch), as `changeproof verify` fails it.
    const page = db.prepare<[number, number], Row>(
      `SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ${PAGE}`).raw();
    pages: for (let after = 0, rows = page.all(after, toSeq); rows.length > 0; after = rows.at(-1)![0], rows = page.all(after, toSeq)) {
      for (const [seq, recorded_at, kind, repo, hash, body] of rows) {
        if (!verifier.add({ body, hash, columns: { seq, recorded_at, kind, repo } })) break pages;
        const header = readEntryHeader(body);
        if (header) indexSubject(subjects, header.repo, header.subject, header.seq);
      }
    }
  } finally {
    if (db.open && db.inTransaction) db.exec('COMMIT');
    db.close();
  }
  return { report: verifier.finish(), subjects };
}

type Row = [number, string, string, string | null, string, string];

const PAGE = 1000;
