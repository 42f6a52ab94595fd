import { ChainVerifier, type VerifyReport } from '../ledger/chain-verifier.js';
import { readEntryHeader } from '../ledger/entry-text.js';
import { publicKeyFromPem } from '../ledger/signing-key.js';
import { openReadOnly } from '../ledger/sqlite-connection.js';
import { iterateStored } from '../ledger/sqlite-reader.js';
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
    for (const stored of iterateStored(db, { toSeq })) {
      if (!verifier.add(stored)) break;
      const header = readEntryHeader(stored.body);
      if (header) indexSubject(subjects, header.repo, header.subject, header.seq);
    }
  } finally {
    db.close();
  }
  return { report: verifier.finish(), subjects };
}
