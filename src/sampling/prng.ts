import { createHash } from 'node:crypto';

/**
 * The documented, versioned generator behind every sample (SPEC §4), so an
 * auditor can re-draw it with nothing but the seed and this description:
 *
 * `sha256-ctr-v1`: block i (i = 0, 1, 2, …) is SHA-256 of the UTF-8 bytes of
 * `"<seed>:<stream>:<i>"`; each block yields four 64-bit-free 48-bit unsigned
 * integers (big-endian bytes 0–5, 6–11, 12–17, 18–23 of the digest; the last 8
 * bytes are unused). A uniform integer in [0, n) is drawn by rejection: take
 * the next 48-bit value v, reject it while v ≥ 2^48 − (2^48 mod n), else
 * return v mod n.
 */
export const PRNG_NAME = 'sha256-ctr-v1';

const RANGE = 2 ** 48;

export class SeededRandom {
  private block = 0;
  private digest: Buffer | null = null;
  /** The next 48-bit value's index in `digest` (0–3); 4 when it is used up. */
  private next = 4;

  /** @param stream separates independent draws from one seed (e.g. one per stratum) */
  constructor(
    readonly seed: string,
    readonly stream = 'main',
  ) {}

  /** A uniform integer in [0, n). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > RANGE) throw new RangeError(`below(n) needs 1 ≤ n ≤ 2^48, got ${n}`);
    const limit = RANGE - (RANGE % n);
    for (;;) {
      const v = this.next48();
      if (v < limit) return v % n;
    }
  }

  private next48(): number {
    if (this.next === 4) {
      this.digest = createHash('sha256').update(`${this.seed}:${this.stream}:${this.block++}`, 'utf8').digest();
      this.next = 0;
    }
    return this.digest!.readUIntBE(6 * this.next++, 6);
  }
}

/**
 * Fisher–Yates (Durstenfeld) over a copy of `items`, driven by `random`:
 * for i from the last index down to 1, swap item i with item `below(i + 1)`.
 */
export function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A fresh seed for when none is given: 128 random bits as hex, recorded in selection.json. */
export function drawSeed(randomBytes: (n: number) => Uint8Array): string {
  return Buffer.from(randomBytes(16)).toString('hex');
}
