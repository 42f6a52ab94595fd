import type { KeyObject } from 'node:crypto';
import type { SignedCheckpoint } from './checkpoint.js';

// What verification takes and what it reports; see ChainVerifier and verifyLedger.

export type VerifyFailureReason =
  | 'malformed' // not an entry (unparseable, missing or mistyped members, text not RFC 8785 canonical, a checkpoint of the wrong shape)
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
  /** The key the auditor trusts: every checkpoint must be validly signed by it. */
  publicKey?: KeyObject;
  /**
   * Without `publicKey`: the id of the key the auditor trusts (hex SHA-256 of
   * its SPKI DER). Every checkpoint must name it, and is checked with the
   * public key it carries (or one an earlier checkpoint carried), which the
   * id authenticates. With neither, signatures are only checked against the
   * key the ledger itself names: `signatures` is then `unverified`.
   */
  keyId?: string;
  /**
   * Also re-serialise every entry with the `canonicalize` package (an
   * independent RFC 8785 implementation, as docs/ledger.md's recipe does) and
   * require the stored text to equal it. Same verdicts, about ten times slower.
   */
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

/**
 * An entry handed to the verifier: its stored body and hash (`columns` are
 * SQLite's filter columns, checked against the body), or an NDJSON line.
 */
export type VerifierInput = StoredInput | LineInput;

export interface StoredInput {
  body: string;
  hash: string;
  columns?: IndexColumns;
}

/** One line of an NDJSON ledger, without its newline: the canonical JSON of the whole entry. */
export interface LineInput {
  line: string;
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
  /**
   * `verified`: a trusted key was given and every checkpoint checked is
   * signed by it (one carrying no key counts when a later verified checkpoint
   * covers it); with a `failure` other than a signature, only the checkpoints
   * before it were checked.
   * `unverified`: no trusted key, or the last checkpoints carry no key to
   * check the given id against. `invalid`: a signature failed (see `failure`).
   */
  signatures: 'verified' | 'unverified' | 'invalid';
  /** The id of the trusted key (given as `publicKey` or `keyId`); null when none was given. */
  keyId: string | null;
  /** The key id the ledger's checkpoints name: what the ledger claims, not trust. Null without checkpoints. */
  claimedKeyId: string | null;
  /** Checkpoints after the last verified one whose signature could not be checked against a trusted key. */
  uncheckedCheckpoints: number;
  /** Whether a supplied anchor checkpoint was found in the data. */
  anchorMatched: boolean | null;
  warnings: string[];
}

