import * as crypto from 'node:crypto';

// crypto.hash (Node 20.12+) is the one-shot form: no Hash object per entry,
// which is most of the cost for entries of a few hundred bytes. The
// standalone verifier may run on an older Node, hence the fallback; a
// namespace import so that loading never fails on a missing export.
const oneShot: ((alg: string, data: string, enc: 'hex') => string) | undefined = (
  crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }
).hash;

/** `prev_hash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's hash: lowercase hex SHA-256 over the UTF-8 bytes of `prevHash`
 * (64 lowercase hex characters, i.e. 64 ASCII bytes, not 32 raw bytes)
 * immediately followed by the UTF-8 bytes of `body`, the RFC 8785 canonical
 * JSON of the entry without its `hash` member. No separator, no newline.
 *
 * @example
 * entryHash(GENESIS_HASH, '{"data":{},"kind":"push",...}') // 'e3b0…'
 */
export function entryHash(prevHash: string, body: string): string {
  if (oneShot) return oneShot('sha256', prevHash + body, 'hex');
  return crypto.createHash('sha256').update(prevHash + body).digest('hex');
}
