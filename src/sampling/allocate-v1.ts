import type { StratumAllocation, StratumCount } from './allocate.js';

/**
 * The allocation of selection algorithm `fisher-yates-sorted-by-id-v1`, kept
 * only so that packages made with it can still be re-drawn and verified:
 * largest remainder in floating point, where a stratum raised to one item
 * could win a leftover seat again. New samples use `allocateStrata` (v2).
 */
export function allocateV1(strata: readonly StratumCount[], size: number): StratumAllocation[] {
  const total = strata.reduce((s, x) => s + x.population, 0);
  if (total === 0) return [];
  const target = Math.max(size, Math.min(strata.length, total));
  const rows = strata.map((s) => {
    const exact = (s.population * target) / total;
    return { ...s, sample: Math.min(s.population, Math.max(1, Math.floor(exact))), remainder: exact - Math.floor(exact) };
  });
  let assigned = rows.reduce((s, r) => s + r.sample, 0);
  const byRemainder = [...rows].sort((a, b) => b.remainder - a.remainder || compare(a.stratum, b.stratum));
  while (assigned < target) {
    const next = byRemainder.find((r) => r.sample < r.population);
    if (!next) break;
    next.sample++;
    next.remainder = -1;
    assigned++;
    byRemainder.sort((a, b) => b.remainder - a.remainder || compare(a.stratum, b.stratum));
  }
  while (assigned > target) {
    const largest = [...rows].filter((r) => r.sample > 1).sort((a, b) => b.sample - a.sample || compare(a.stratum, b.stratum))[0];
    if (!largest) break;
    largest.sample--;
    assigned--;
  }
  return rows.map(({ stratum, population, sample }) => ({ stratum, population, sample }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
