import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { isHex64 } from './entry-text.js';
import type { SigningKey } from './signing-key.js';

/**
 * Domain separation: the ledger key also signs export manifests (SPEC §5), so
 * the signed statement names what it is and a signature over one can never
 * pass as the other.
 */
export const CHECKPOINT_FORMAT = 'changeproof-checkpoint/v1';

/**
 * A signed statement that the ledger's first `size` entries end in
 * `head_hash`. It is recorded as the `data` of a `checkpoint` entry at seq
 * `size + 1`, and can be kept outside the ledger as an anchor.
 */
export interface SignedCheckpoint {
  format: string;
  size: number;
  head_hash: string;
  /** ISO-8601 UTC; equal to the checkpoint entry's `recorded_at`. */
  time: string;
  /** Hex SHA-256 of the signing public key's SPKI DER. */
  key_id: string;
  /** Base64 Ed25519 signature over {@link checkpointStatement}. */
  signature: string;
}

/** When to sign: after this many unsigned entries, or once the oldest unsigned entry is this old. */
export interface CheckpointPolicy {
  everyEntries: number;
  everyMs: number;
}

/** SPEC §3: at least every 1,000 entries or 10 minutes. */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { everyEntries: 1000, everyMs: 10 * 60 * 1000 };

/**
 * The exact bytes signed: UTF-8 of the RFC 8785 canonical JSON of
 * `{format, head_hash, size, time}`, e.g.
 * `{"format":"changeproof-checkpoint/v1","head_hash":"…","size":1000,"time":"2026-03-04T10:15:00.000Z"}`.
 */
export function checkpointStatement(c: Pick<SignedCheckpoint, 'format' | 'size' | 'head_hash' | 'time'>): Buffer {
  return Buffer.from(canonicalJson({ format: c.format, head_hash: c.head_hash, size: c.size, time: c.time }), 'utf8');
}

/**
 * Signs `{size, head_hash, time}` with Ed25519.
 *
 * @example
 * const cp = signCheckpoint(key, { size: 42, head_hash: head.hash, time: now.toISOString() });
 * checkpointSignatureValid(key.publicKey, cp) // true
 */
export function signCheckpoint(key: SigningKey, state: { size: number; head_hash: string; time: string }): SignedCheckpoint {
  const unsigned = { format: CHECKPOINT_FORMAT, ...state };
  const signature = sign(null, checkpointStatement(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, key_id: key.keyId, signature };
}

/** True when `c.signature` is a valid Ed25519 signature by `publicKey` over the statement. */
export function checkpointSignatureValid(publicKey: KeyObject, c: SignedCheckpoint): boolean {
  try {
    return verify(null, checkpointStatement(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A {@link SignedCheckpoint} from untrusted JSON; null when any member is missing or mistyped. */
export function parseSignedCheckpoint(value: unknown): SignedCheckpoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const ok =
    v.format === CHECKPOINT_FORMAT &&
    typeof v.size === 'number' && Number.isSafeInteger(v.size) && v.size >= 0 &&
    typeof v.head_hash === 'string' && isHex64(v.head_hash) &&
    typeof v.time === 'string' &&
    typeof v.key_id === 'string' && isHex64(v.key_id) &&
    typeof v.signature === 'string' && /^[A-Za-z0-9+/]{86}==$/.test(v.signature);
  if (!ok) return null;
  const { format, size, head_hash, time, key_id, signature } = v as unknown as SignedCheckpoint;
  return { format, size, head_hash, time, key_id, signature };
}

/** What the policy looks at: how many entries are unsigned, and when the oldest was recorded. */
export interface UnsignedTail {
  count: number;
  oldestAt: string | null;
}

/** True when the policy asks for a checkpoint now. Nothing unsigned → never due. */
export function isCheckpointDue(tail: UnsignedTail, policy: CheckpointPolicy, now: Date): boolean {
  if (tail.count === 0) return false;
  if (tail.count >= policy.everyEntries) return true;
  return tail.oldestAt !== null && now.getTime() - Date.parse(tail.oldestAt) >= policy.everyMs;
}
