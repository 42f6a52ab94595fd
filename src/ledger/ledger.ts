import type { Inbox } from './inbox.js';
import type { SignedCheckpoint } from './checkpoint.js';

/**
 * Every kind of ledger entry. Add a kind by appending it here: verifiers
 * accept kinds they do not know (a newer writer may add some), and only
 * `checkpoint` has a meaning to the hash chain itself.
 */
export const ENTRY_KINDS = [
  'evaluation',
  'change',
  'exception',
  'exception_resolved',
  'deployment_decision',
  'deployment',
  'push',
  'checkpoint',
  'config_error',
  'installation',
  'export',
  'head_push',
  'policy',
  'export_refused',
  'merge_group',
  'exception_response',
] as const;

export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Any value JSON (and so RFC 8785) can represent. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One ledger entry, exactly as hashed (SPEC §3):
 * `hash = sha256(prev_hash ‖ JCS(entry without hash))`, see `docs/ledger.md`.
 */
export interface LedgerEntry {
  /** 1-based position in the chain; the ledger's size is the last seq. */
  seq: number;
  /** ISO-8601 UTC with milliseconds, never earlier than the previous entry's. */
  recorded_at: string;
  kind: EntryKind;
  /** `owner/name`, or `null` for entries about no single repository (checkpoints). */
  repo: string | null;
  /** What the entry is about, e.g. `pull/42`, `push/<sha>`, `deployment/123`. */
  subject: string;
  data: JsonValue;
  /** The previous entry's hash; 64 zeros for seq 1. */
  prev_hash: string;
  /** Lowercase hex SHA-256. */
  hash: string;
}

/** What a caller appends; the ledger assigns seq, time and hashes. */
export interface EntryInput {
  kind: Exclude<EntryKind, 'checkpoint'>;
  repo: string | null;
  subject: string;
  /**
   * Any JSON-serialisable value (objects with `toJSON`, such as `Date`, are
   * serialised through it). Typed `unknown` so interfaces such as a verdict
   * can be passed without an index signature; non-JSON values are refused.
   */
  data: unknown;
}

export interface AppendOptions {
  /**
   * The webhook delivery (`X-GitHub-Delivery`) these entries record. An append
   * whose delivery was already recorded writes nothing and returns the entries
   * recorded then, so a delivery must be recorded in ONE append call.
   */
  deliveryId?: string;
}

export interface AppendResult {
  /** The entries of this append (or of the earlier one, for a duplicate), without checkpoints. */
  entries: LedgerEntry[];
  /** True when the delivery had already been recorded and nothing was written. */
  duplicate: boolean;
}

/** The chain's head: its size (= last seq) and the last entry's hash (64 zeros when empty). */
export interface LedgerHead {
  size: number;
  hash: string;
}

/**
 * Which entries to read, in seq order (or reversed with `order: 'desc'`). Every filter is optional; they
 * combine with AND. Times compare with `recorded_at`, which never decreases.
 */
export interface ReadQuery {
  fromSeq?: number;
  toSeq?: number;
  /** Inclusive lower bound, ISO-8601. */
  from?: string;
  /** Exclusive upper bound, ISO-8601. */
  to?: string;
  repo?: string;
  /** Only entries about this subject (`pull/42`, `push/<sha>`); needs `repo`. */
  subject?: string;
  kinds?: readonly EntryKind[];
  /** `desc`: newest first (default `asc`, seq order). */
  order?: 'asc' | 'desc';
  /** At most this many entries. */
  limit?: number;
}

/** The latest signed checkpoint and the seq of the entry that carries it. */
export type CheckpointRecord = SignedCheckpoint & { seq: number };

/**
 * The tamper-evident ledger. Storage-agnostic: appends are serialised by the
 * storage (a SQLite write lock now, a PostgreSQL advisory lock later) so the
 * chain never forks, and every method is async so such a store can follow.
 *
 * @example
 * const ledger = SqliteLedger.open(defaultLedgerPath(process.env));
 * const { entries, duplicate } = await ledger.append(
 *   [{ kind: 'evaluation', repo: 'acme/api', subject: 'pull/42', data: verdict }],
 *   { deliveryId: context.id },
 * );
 * await ledger.close(); // signs a final checkpoint
 */
export interface Ledger {
  /** Appends atomically (all or nothing) and durably; throws a `LedgerError` when it cannot. */
  append(input: EntryInput | readonly EntryInput[], options?: AppendOptions): Promise<AppendResult>;
  hasDelivery(deliveryId: string): Promise<boolean>;
  head(): Promise<LedgerHead>;
  /** Entries in seq order; memory does not grow with the ledger. */
  read(query?: ReadQuery): AsyncIterable<LedgerEntry>;
  /** The same entries as NDJSON lines (no newline), byte for byte as exported. */
  readLines(query?: ReadQuery): AsyncIterable<string>;
  latestCheckpoint(): Promise<CheckpointRecord | null>;
  /** Signs a checkpoint now if any entry is not yet covered by one; returns it, or null. */
  checkpoint(): Promise<LedgerEntry | null>;
  /** Signs a checkpoint if the policy (entries or time since the oldest unsigned entry) asks for one. */
  checkpointIfDue(): Promise<LedgerEntry | null>;
  /** The checkpoint verification key, SPKI PEM. */
  publicKeyPem(): string;
  /**
   * Signs an auditor export's manifest digest with the ledger key (the
   * domain-separated statement of export-signature.ts) and records it as an
   * `export` entry in the same step: every signed export is in the ledger.
   * `details` (what the app re-derived before signing) go into the entry too.
   * Only ever called on a digest the caller computed itself.
   */
  signExport(manifestSha256: string, requestedBy: string, details?: Record<string, unknown>): Promise<{ signature: string; keyId: string; entry: LedgerEntry }>;
  /** Durable inbox of accepted webhook deliveries, beside the ledger. */
  readonly inbox: Inbox;
  /** Signs a final checkpoint and releases the storage. Idempotent. */
  close(): Promise<void>;
}
