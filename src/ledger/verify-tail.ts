import type { KeyObject } from 'node:crypto';
import { ChainVerifier } from './chain-verifier.js';
import { LedgerError } from './errors.js';

/** A position in the chain: an entry's seq and hash. */
export interface ChainPosition {
  seq: number;
  hash: string;
}

/** A stored entry row, as both backends read it. */
export interface TailRow {
  seq: number;
  recorded_at: string;
  kind: string;
  repo: string | null;
  hash: string;
  body: string;
}

/**
 * What is wrong with the entries a writer is about to build on or sign, or
 * null. `rows` run from `from` (the last checkpoint, an entry this writer
 * already checked, or seq 1) to `head`: each must hash, link and match its
 * columns as `changeproof verify` requires, and a checkpoint among them must
 * be validly signed by `publicKey`. `known` (an entry this writer wrote or
 * checked, with `storedHash` the hash stored at its seq now) must be unchanged.
 *
 * It cannot catch a tail rewritten and re-hashed before this writer ever saw
 * it: only a checkpoint makes entries tamper-evident beyond the hash chain.
 */
export function tailProblem(
  rows: readonly TailRow[],
  options: { from: number; head: ChainPosition; publicKey: KeyObject; known: ChainPosition | null; storedHash: string | undefined },
): string | null {
  const { from, head, publicKey, known, storedHash } = options;
  if (known !== null && known.seq > head.seq) {
    return `it ends at seq ${head.seq}, but this writer recorded or checked seq ${known.seq}: entries were removed`;
  }
  if (known !== null && storedHash !== known.hash) {
    return `seq ${known.seq} no longer has the hash this writer recorded or checked (${known.hash.slice(0, 16)}…): entries were rewritten and the chain re-hashed`;
  }
  if (head.seq === 0) return null;
  const verifier = new ChainVerifier({ publicKey, partial: from > 1 });
  for (const row of rows) {
    if (!verifier.add({ body: row.body, hash: row.hash, columns: { seq: row.seq, recorded_at: row.recorded_at, kind: row.kind, repo: row.repo } })) break;
  }
  const report = verifier.finish();
  if (report.failure) return `seq ${report.failure.seq}: ${report.failure.message} (${report.failure.reason})`;
  if (report.firstSeq !== from || report.lastSeq !== head.seq || report.headHash !== head.hash) {
    return `the entries from seq ${from} do not lead to the stored head (seq ${head.seq}, hash ${head.hash.slice(0, 16)}…)`;
  }
  return null;
}

/** The error a writer throws instead of signing or extending a chain that does not verify. */
export function tamperedError(where: string, problem: string): LedgerError {
  return new LedgerError('LEDGER_TAMPERED',
    `Refusing to sign or extend the ledger at ${where}: the entries since its last checkpoint do not verify: ${problem}.`,
    'Someone or something changed the ledger outside changeproof. Stop the app, keep a copy of the file or database, and run `changeproof verify` on it; do not append to it until it is explained.');
}
