import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateStrata, RAISE_REASON, type StratumCount } from '../../src/sampling/allocate.js';
import { sampleSize } from '../../src/sampling/sample-size.js';
import { selectSample, type SampleItem } from '../../src/sampling/select-sample.js';

/**
 * Stratified allocation (SPEC §6.5): exact largest remainder, at least one
 * per non-empty stratum, n raised to the number of strata when smaller,
 * every tie to the earlier stratum name. The rule, step by step, is in
 * docs/auditor-guide.md ("Stratified allocation"); `naive` below follows
 * those steps literally with BigInt fractions, one seat at a time.
 */

const strata = (layout: Record<string, number>): StratumCount[] => Object.entries(layout).map(([stratum, population]) => ({ stratum, population }));
const seats = (layout: Record<string, number>, n: number) => Object.fromEntries(allocateStrata(strata(layout), n).allocation.map((a) => [a.stratum, a.sample]));

interface Case {
  name: string;
  layout: Record<string, number>;
  n: number;
  want: Record<string, number>;
}

describe('allocateStrata: the rule, case by case', () => {
  it.each<Case>([
    { name: 'proportional when the quotas are whole', layout: { a: 10, b: 20, c: 30 }, n: 6, want: { a: 1, b: 2, c: 3 } },
    // quotas 2.92, 0.83, 1.25: floors 2, 0 → 1, 1; the seat left over goes to the largest remainder, a's
    { name: 'the largest remainder gets the seat left over', layout: { a: 7, b: 2, c: 3 }, n: 5, want: { a: 3, b: 1, c: 1 } },
    // 5 × 4 / 12 = 1.667 for a and b: equal remainders, a is the earlier name
    { name: 'equal remainders: the earlier stratum name gets the seat', layout: { b: 5, a: 5, c: 2 }, n: 4, want: { a: 2, b: 1, c: 1 } },
    { name: 'code-point order, not locale order, breaks a tie', layout: { 'é': 3, f: 3 }, n: 3, want: { 'é': 1, f: 2 } },
    { name: 'code-point order: uppercase before lowercase', layout: { b: 3, B: 3 }, n: 3, want: { B: 2, b: 1 } },
    { name: 'n below the number of strata is raised: one each', layout: { '2026-01': 100, '2026-02': 1, '2026-03': 1 }, n: 2, want: { '2026-01': 1, '2026-02': 1, '2026-03': 1 } },
    { name: 'n of 0 is raised too', layout: { a: 3, b: 4 }, n: 0, want: { a: 1, b: 1 } },
    // quotas 3.92, 0.04, 0.04: floors 3 and two ones make 5 > 4, so a gives one back
    { name: 'tiny strata get one each, taken back from the big one', layout: { a: 100, b: 1, c: 1 }, n: 4, want: { a: 2, b: 1, c: 1 } },
    // quotas 2.27, 2.27, 0.23, 0.23: floors 2, 2 and ones → 6 > 5; equal gaps: b (the later name) gives one back
    { name: 'taking back: the smallest gap gives one back, equal gaps the later name', layout: { a: 10, b: 10, c: 1, d: 1 }, n: 5, want: { a: 2, b: 1, c: 1, d: 1 } },
    { name: 'taking back several from one stratum', layout: { a: 1000, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1 }, n: 10, want: { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1 } },
    // quotas 3.75 and 2.14 (and two ones): 3 + 2 + 1 + 1 = 7 > 6; b's gap (0.14) is the smaller, so b gives back though a holds more
    { name: 'taking back follows the gaps, not the sizes', layout: { a: 70, b: 40, c: 1, d: 1 }, n: 6, want: { a: 3, b: 1, c: 1, d: 1 } },
    // quotas 1.55, 0.9, 1.55: b's one is already above its quota, so the seat left over goes to a (tied with c, the earlier name)
    { name: 'a stratum raised to one takes no second seat from the remainder pass', layout: { a: 31, b: 18, c: 31 }, n: 4, want: { a: 2, b: 1, c: 1 } },
    { name: 'a stratum gives up to all it holds, never more', layout: { a: 2, b: 40 }, n: 41, want: { a: 2, b: 39 } },
    { name: 'n equal to N takes everything', layout: { a: 3, b: 1, c: 5 }, n: 9, want: { a: 3, b: 1, c: 5 } },
    { name: 'n above N is capped at N: no stratum gets more than it holds, though p·n/N is more', layout: { a: 3, b: 1 }, n: 50, want: { a: 3, b: 1 } },
    { name: 'one stratum takes n', layout: { only: 17 }, n: 5, want: { only: 5 } },
    { name: 'an empty stratum gets nothing and does not count for the raise', layout: { a: 5, empty: 0, b: 5 }, n: 1, want: { a: 1, empty: 0, b: 1 } },
  ])('$name', ({ layout, n, want }) => {
    expect(seats(layout, n)).toEqual(want);
    expect(seats(layout, n)).toEqual(naive(strata(layout), n).seats);
  });

  it("agrees with the auditor guide's worked example", () => {
    const guide = readFileSync(new URL('../../docs/auditor-guide.md', import.meta.url), 'utf8');
    const example = guide.slice(guide.indexOf('**Worked example.**'), guide.indexOf('With *n* = 2 `selection.json` reads'));
    const layout = Object.fromEntries([...example.matchAll(/(\d{4}-\d{2}) with (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    const rows = [...example.matchAll(/^\| (\d+) \|.*\| ([\d, ]+) \|$/gm)].map((m) => ({ n: Number(m[1]), want: m[2]!.split(', ').map(Number) }));
    expect(Object.keys(layout)).toHaveLength(4);
    expect(rows.map((r) => r.n)).toEqual([2, 13, 7]);
    for (const { n, want } of rows) expect(Object.values(seats(layout, n))).toEqual(want);
    expect(allocateStrata(strata(layout), 2).raised).toMatchObject({ from: 2, to: 4 });
  });

  it('says when n was raised, from what to what, and why', () => {
    expect(allocateStrata(strata({ a: 100, b: 1, c: 1 }), 2)).toMatchObject({ requested: 2, size: 3, raised: { from: 2, to: 3, strata: 3, reason: RAISE_REASON } });
    expect(allocateStrata(strata({ a: 100, b: 1, c: 1 }), 3)).toMatchObject({ requested: 3, size: 3, raised: null });
    expect(allocateStrata(strata({ a: 3, b: 1 }), 50)).toMatchObject({ requested: 50, size: 4, raised: null });
    expect(allocateStrata([], 5)).toEqual({ requested: 5, size: 0, raised: null, allocation: [] });
    expect(allocateStrata(strata({ a: 0 }), 5)).toMatchObject({ size: 0, raised: null, allocation: [{ stratum: 'a', population: 0, sample: 0 }] });
  });

  it('is exact where floating point is not: equal remainders stay equal, and the earlier name wins', () => {
    // 8 × 8 / 12 = 5.333… and 2 × 8 / 12 = 1.333…: in doubles the second remainder comes out larger (0.33333333333333326 > 0.33333333333333304)
    expect(seats({ a: 8, b: 2, c: 2 }, 8)).toEqual({ a: 6, b: 1, c: 1 });
  });

  it('is exact for populations of millions', () => {
    const layout = { '2026-01': 2_345_678, '2026-02': 3_456_789, '2026-03': 1_234_567, '2026-04': 7, '2026-05': 4_567_890 };
    expect(seats(layout, 59)).toEqual(naive(strata(layout), 59).seats);
    expect(Object.values(seats(layout, 59)).reduce((s, x) => s + x, 0)).toBe(59);
  });

  it.each([-1, 1.5, Number.NaN])('refuses a sample size of %s', (n) => {
    expect(() => allocateStrata(strata({ a: 3 }), n)).toThrow(RangeError);
  });

  it('refuses a negative or fractional stratum population, or a stratum given twice', () => {
    expect(() => allocateStrata(strata({ a: -1 }), 1)).toThrow(/stratum a/);
    expect(() => allocateStrata(strata({ a: 2.5 }), 1)).toThrow(/stratum a/);
    expect(() => allocateStrata([{ stratum: 'a', population: 1 }, { stratum: 'a', population: 2 }], 1)).toThrow(/stratum a is given twice/);
  });
});

describe('allocateStrata: properties over random layouts', () => {
  const names = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', 'B', '0', '-', 'é', '😀') }), { minLength: 1, maxLength: 12 });
  const layouts = names.chain((ns) =>
    fc.tuple(
      fc.constant(ns),
      fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }) },
          { weight: 2, arbitrary: fc.constantFrom(1, 2, 5, 10, 20, 40) }, // repeated sizes: equal remainders and gaps, so ties
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 40_000_000 }) },
        ),
        { minLength: ns.length, maxLength: ns.length },
      ),
      fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 400 })),
    ),
  );

  it('sums to the raised n, keeps 1 ≤ sample ≤ population for every non-empty stratum, and agrees with the naive rule', () => {
    fc.assert(
      fc.property(layouts, ([ns, pops, n]) => {
        const input = ns.map((stratum, i) => ({ stratum, population: pops[i]! }));
        const total = pops.reduce((s, p) => s + p, 0);
        const nonEmpty = pops.filter((p) => p > 0).length;
        const result = allocateStrata(input, n);
        const raisedN = Math.min(total, Math.max(n, nonEmpty));
        expect(result.size).toBe(raisedN);
        expect(result.raised === null).toBe(raisedN <= n);
        expect(result.allocation.reduce((s, a) => s + a.sample, 0)).toBe(raisedN);
        for (const a of result.allocation) {
          if (a.population === 0) expect(a.sample).toBe(0);
          else expect(a.sample).toBeGreaterThanOrEqual(1);
          expect(a.sample).toBeLessThanOrEqual(a.population);
        }
        expect(Object.fromEntries(result.allocation.map((a) => [a.stratum, a.sample]))).toEqual(naive(input, n).seats);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never strays a whole seat from the quota, except for the one-per-stratum minimum', () => {
    fc.assert(
      fc.property(layouts, ([ns, pops, n]) => {
        const input = ns.map((stratum, i) => ({ stratum, population: pops[i]! }));
        const { size, allocation } = allocateStrata(input, n);
        const total = BigInt(pops.reduce((s, p) => s + p, 0));
        const bumped = allocation.some((a) => a.population > 0 && BigInt(a.population) * BigInt(size) < total);
        if (bumped || total === 0n) return;
        for (const a of allocation) {
          const quota = BigInt(a.population) * BigInt(size);
          // |sample − quota| < 1, as numerators over N
          expect(BigInt(a.sample) * total - quota < total && quota - BigInt(a.sample) * total < total).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('does not depend on the order the strata are given in', () => {
    fc.assert(
      fc.property(layouts, fc.integer(), ([ns, pops, n], shift) => {
        const input = ns.map((stratum, i) => ({ stratum, population: pops[i]! }));
        const k = ((shift % input.length) + input.length) % input.length;
        const rotated = [...input.slice(k), ...input.slice(0, k)].reverse();
        const bySeats = (xs: StratumCount[]) => Object.fromEntries(allocateStrata(xs, n).allocation.map((a) => [a.stratum, a.sample]));
        expect(bySeats(rotated)).toEqual(bySeats(input));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the sample size of a stratified draw', () => {
  const items = (layout: Record<string, number>): SampleItem[] =>
    Object.entries(layout).flatMap(([month, count]) => Array.from({ length: count }, (_, i) => ({ id: `acme/api#${month}-${i}`, month, repo: 'acme/api' })));

  it('the rule gives 2, three months raise it to 3, and the derivation says why', () => {
    const population = items({ '2026-01': 5, '2026-02': 5, '2026-03': 2 });
    const size = sampleSize({ method: 'fixed', size: 2 }, population.length, 90, { strata: 'month', items: population });
    expect(size).toMatchObject({ size: 3, ruleSize: 2, raised: { from: 2, to: 3, strata: 3 } });
    expect(size.derivation).toBe('fixed at 2; raised from 2 to 3: at least one item per stratum (3 month strata)');
    const selection = selectSample(population, size.ruleSize, 'seed', 'month');
    expect(selection.ids).toHaveLength(3);
    expect(selection.raised).toEqual(size.raised);
    expect(selection.allocation).toEqual(size.allocation);
  });

  it('is not raised when unstratified, or when n already covers the strata', () => {
    const population = items({ '2026-01': 5, '2026-02': 5, '2026-03': 2 });
    expect(sampleSize({ method: 'fixed', size: 2 }, population.length, 90, { strata: 'none', items: population })).toMatchObject({ size: 2, raised: null, allocation: null });
    expect(sampleSize({ method: 'fixed', size: 2 }, population.length, 90)).toMatchObject({ size: 2, raised: null });
    expect(sampleSize({ method: 'fixed', size: 4 }, population.length, 90, { strata: 'month', items: population })).toMatchObject({ size: 4, ruleSize: 4, raised: null, derivation: 'fixed at 4' });
    expect(selectSample(population, 2, 'seed', 'none').raised).toBeNull();
  });

  it('a re-draw with the raised n draws the same sample (the raise is idempotent)', () => {
    const population = items({ '2026-01': 9, '2026-02': 1, '2026-03': 4, '2026-04': 1 });
    const first = selectSample(population, 2, 'seed-x', 'month');
    const again = selectSample(population, first.ids.length, 'seed-x', 'month');
    expect(first.raised).toMatchObject({ from: 2, to: 4 });
    expect(again.raised).toBeNull();
    expect(again.ids).toEqual(first.ids);
  });
});

// ——— the naive reference: the documented steps, literally, with BigInt fractions ———

interface Fraction {
  num: bigint;
  den: bigint;
}

const fraction = (num: bigint, den: bigint): Fraction => {
  const g = gcd(num < 0n ? -num : num, den);
  return { num: num / g, den: den / g };
};
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a === 0n ? 1n : a) : gcd(b, a % b));
const compare = (x: Fraction, y: Fraction): number => {
  const l = x.num * y.den;
  const r = y.num * x.den;
  return l < r ? -1 : l > r ? 1 : 0;
};
const floorOf = (x: Fraction): bigint => (x.num >= 0n ? x.num / x.den : -((-x.num + x.den - 1n) / x.den));
const minus = (x: Fraction, whole: bigint): Fraction => fraction(x.num - whole * x.den, x.den);

function naive(input: readonly StratumCount[], n: number): { size: number; seats: Record<string, number> } {
  const seatsOf: Record<string, number> = {};
  for (const s of input) seatsOf[s.stratum] = 0;
  const live = input.filter((s) => s.population > 0);
  const N = live.reduce((sum, s) => sum + BigInt(s.population), 0n);
  if (N === 0n) return { size: 0, seats: seatsOf };
  // 1. raise n to the number of non-empty strata, never above N
  let size = BigInt(Math.max(n, live.length));
  if (size > N) size = N;
  // 2. quota q = p·n′/N; start from max(1, ⌊q⌋)
  const rows = live.map((s) => {
    const quota = fraction(BigInt(s.population) * size, N);
    const floor = floorOf(quota);
    return { name: s.stratum, quota, seats: floor < 1n ? 1n : floor };
  });
  const sum = () => rows.reduce((t, r) => t + r.seats, 0n);
  const before = (a: string, b: string) => a < b; // code points
  // 4. while short: one more to the largest q − a; equal: the earlier name
  while (sum() < size) {
    let best = rows[0]!;
    for (const r of rows.slice(1)) {
      const c = compare(minus(r.quota, r.seats), minus(best.quota, best.seats));
      if (c > 0 || (c === 0 && before(r.name, best.name))) best = r;
    }
    expect(best.seats).toBeLessThan(BigInt(live.find((s) => s.stratum === best.name)!.population));
    best.seats += 1n;
  }
  // 5. while over: one fewer from the smallest q − a among those holding two or more; equal: the later name
  while (sum() > size) {
    let worst: (typeof rows)[number] | null = null;
    for (const r of rows.filter((x) => x.seats >= 2n)) {
      const c = worst === null ? -1 : compare(minus(r.quota, r.seats), minus(worst.quota, worst.seats));
      if (c < 0 || (c === 0 && before(worst!.name, r.name))) worst = r;
    }
    worst!.seats -= 1n;
  }
  for (const r of rows) seatsOf[r.name] = Number(r.seats);
  return { size: Number(size), seats: seatsOf };
}
