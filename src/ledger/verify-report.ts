import type { KeyObject } from 'node:crypto';
import type { SignedCheckpoint } from './checkpoint.js';

// What verification takes and what it reports; see ChainVerifier and verifyLedger.

export type VerifyFailureReason =
  | 'malformed' // not an entry (unparseable, missing or mistyped members)
  | 'hash_mismatch' // contents do not hash to the stored hash, or prev_hash does not link
  | 'gap' // a seq is missing
  | 'reorder' // entries out of order, repeated, or recorded_at going backwards
  | 'bad_signature' // a checkpoint signed by another key, or not validly signed
  | 'checkpoint_inconsistent' // a checkpoint disagrees with the data or an earlier checkpoint
  | 'truncated' // the data ends before a supplied checkpoint's size, or mid-entry
  | 'unsigned_tail' // entries after the last checkpoint, when a final checkpoint is required
  | 'index_mismatch'; // a SQLite column disagrees with the hashed entry

export interface VerifyFailure {
  /** The first sequence number at fault. */
  seq: number;
  reason: VerifyFailureReason;
  message: string;
  /** When the fault can only be narrowed to a range (a rewritten, re-hashed run). */
  range?: [number, number];
}

export interface ChainVerifierOptions {
  publicKey: KeyObject;
  /** Re-serialise every entry with RFC 8785 (the independent recipe) instead of hashing the stored bytes. */
  canonical?: boolean;
  /** Accept a segment that starts after seq 1 (its first prev_hash is taken as given). */
  partial?: boolean;
  /** A checkpoint kept outside the data: the data must contain exactly that size and head. */
  anchor?: SignedCheckpoint;
  /** Fail when entries follow the last checkpoint (a ledger closed cleanly ends with one). */
  requireFinalCheckpoint?: boolean;
}

/** SQLite's filter columns, which must agree with the hashed entry. */
export interface IndexColumns {
  seq: number;
  recorded_at: string;
  kind: string;
  repo: string | null;
}

/** A stored entry handed to the verifier; `columns` are SQLite's filter columns, checked against the body. */
export interface VerifierInput {
  body: string;
  hash: string;
  columns?: IndexColumns;
}

export interface VerifyReport {
  ok: boolean;
  failure: VerifyFailure | null;
  /** Entries that passed every check. */
  entries: number;
  firstSeq: number | null;
  /** Seq of the last entry that passed. */
  lastSeq: number;
  headHash: string;
  checkpoints: number;
  lastCheckpoint: { seq: number; size: number; time: string } | null;
  /** Entries after the last checkpoint: protected by the hash chain only. */
  unsignedTail: number;
  keyId: string;
  /** Whether a supplied anchor checkpoint was found in the data. */
  anchorMatched: boolean | null;
  warnings: string[];
}

