import { hash } from 'node:crypto';

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
  // crypto.hash is the one-shot form: no Hash object per entry, which is most
  // of the cost for entries of a few hundred bytes.
  return hash('sha256', prevHash + body, 'hex');
}
