import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
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
  /**
   * The signing public key: standard base64 of its DER SubjectPublicKeyInfo,
   * the very bytes `key_id` hashes. Not part of the signed statement (so
   * checkpoints written before it existed verify unchanged); it lets the
   * ledger name its key by itself, which is a claim, not trust.
   */
  public_key?: string;
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
  return { ...unsigned, key_id: key.keyId, signature, public_key: spkiBase64(key.publicKey) };
}

/** Base64 of a public key's DER SubjectPublicKeyInfo: the form checkpoints carry. */
export function spkiBase64(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The key a checkpoint carries, checked against its `key_id`; null when it carries none. */
export type CarriedKey = { key: KeyObject; problem?: never } | { key?: never; problem: string } | null;

/**
 * Reads the public key a checkpoint carries: an Ed25519 key whose SPKI DER
 * (base64-encoded exactly once, canonically) hashes to the checkpoint's
 * `key_id`. Anything else is a `problem`, described for the verify report.
 *
 * @example
 * const carried = readCarriedKey(checkpoint);
 * if (carried?.key) checkpointSignatureValid(carried.key, checkpoint);
 */
export function readCarriedKey(c: Pick<SignedCheckpoint, 'key_id' | 'public_key'>): CarriedKey {
  if (c.public_key === undefined) return null;
  const der = Buffer.from(c.public_key, 'base64');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return { problem: 'its public_key is not a DER SubjectPublicKeyInfo in base64' };
  }
  if (key.asymmetricKeyType !== 'ed25519') return { problem: `its public_key is ${key.asymmetricKeyType ?? 'an unknown kind of'} key, not Ed25519` };
  if (der.toString('base64') !== c.public_key || !der.equals(key.export({ type: 'spki', format: 'der' }))) {
    return { problem: 'its public_key is not in the one canonical encoding (base64 of the DER SubjectPublicKeyInfo)' };
  }
  const id = createHash('sha256').update(der).digest('hex');
  if (id !== c.key_id) return { problem: `it carries the public key with id ${id.slice(0, 16)}…, but names key_id ${c.key_id.slice(0, 16)}…` };
  return { key };
}

/** True when `c.signature` is a valid Ed25519 signature by `publicKey` over the statement. */
export function checkpointSignatureValid(publicKey: KeyObject, c: SignedCheckpoint): boolean {
  try {
    return verify(null, checkpointStatement(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * A {@link SignedCheckpoint} from untrusted JSON; null when any member is
 * missing or mistyped (`public_key` may be absent: checkpoints written before
 * it was added).
 */
export function parseSignedCheckpoint(value: unknown): SignedCheckpoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const ok =
    v.format === CHECKPOINT_FORMAT &&
    typeof v.size === 'number' && Number.isSafeInteger(v.size) && v.size >= 0 &&
    typeof v.head_hash === 'string' && isHex64(v.head_hash) &&
    typeof v.time === 'string' &&
    typeof v.key_id === 'string' && isHex64(v.key_id) &&
    typeof v.signature === 'string' && /^[A-Za-z0-9+/]{86}==$/.test(v.signature) &&
    (v.public_key === undefined || (typeof v.public_key === 'string' && /^[A-Za-z0-9+/]{1,1000}={0,2}$/.test(v.public_key)));
  if (!ok) return null;
  const { format, size, head_hash, time, key_id, signature, public_key } = v as unknown as SignedCheckpoint;
  return public_key === undefined ? { format, size, head_hash, time, key_id, signature } : { format, size, head_hash, time, key_id, signature, public_key };
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
