import { PRNG_NAME, SeededRandom, shuffle } from './prng.js';

/** The version of the selection algorithm below; recorded with every sample. */
export const SELECTION_ALGORITHM = 'fisher-yates-sorted-by-id-v1';

export type Strata = 'none' | 'month' | 'repo';

export interface SampleItem {
  /** Stable, unique change id (population.csv `id`). */
  id: string;
  /** `YYYY-MM` in the export's time zone. */
  month: string;
  /** `owner/name` */
  repo: string;
}

export interface StratumAllocation {
  stratum: string;
  population: number;
  sample: number;
}

export interface Selection {
  method: 'random' | 'stratified' | 'auditor_list';
  prng: string;
  algorithm: string;
  seed: string | null;
  strata: Strata;
  allocation: StratumAllocation[];
  /** Selected ids, sorted. */
  ids: string[];
}

/**
 * Draws a reproducible sample of `size` items.
 *
 * - `none`: sort the population by id (code-point order), shuffle it with
 *   Fisher–Yates driven by `sha256-ctr-v1(seed, "main")`, take the first `size`.
 * - `month` / `repo`: allocate `size` proportionally to each stratum's count
 *   (largest remainder, ties to the earlier stratum name), at least one per
 *   non-empty stratum, never more than the stratum holds; then draw within each
 *   stratum as above with the stream `stratum:<name>`.
 *
 * @example selectSample(items, 25, 'seed-1', 'month').ids
 */
export function selectSample(items: readonly SampleItem[], size: number, seed: string, strata: Strata): Selection {
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  const n = Math.min(size, sorted.length);
  if (strata === 'none') {
    const ids = shuffle(sorted, new SeededRandom(seed, 'main')).slice(0, n).map((i) => i.id).sort(compareIds);
    return { method: 'random', prng: PRNG_NAME, algorithm: SELECTION_ALGORITHM, seed, strata, allocation: [{ stratum: 'all', population: sorted.length, sample: n }], ids };
  }
  const groups = new Map<string, SampleItem[]>();
  for (const item of sorted) {
    const key = strata === 'month' ? item.month : item.repo;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const names = [...groups.keys()].sort(compareIds);
  const allocation = allocate(names.map((name) => ({ stratum: name, population: groups.get(name)!.length })), n);
  const ids = allocation
    .flatMap((a) => shuffle(groups.get(a.stratum)!, new SeededRandom(seed, `stratum:${a.stratum}`)).slice(0, a.sample))
    .map((i) => i.id)
    .sort(compareIds);
  return { method: 'stratified', prng: PRNG_NAME, algorithm: SELECTION_ALGORITHM, seed, strata, allocation, ids };
}

/** Proportional allocation (largest remainder) with at least one per stratum. */
export function allocate(strata: { stratum: string; population: number }[], size: number): StratumAllocation[] {
  const total = strata.reduce((s, x) => s + x.population, 0);
  if (total === 0) return [];
  const target = Math.max(size, Math.min(strata.length, total));
  const rows = strata.map((s) => {
    const exact = (s.population * target) / total;
    return { ...s, sample: Math.min(s.population, Math.max(1, Math.floor(exact))), remainder: exact - Math.floor(exact) };
  });
  let assigned = rows.reduce((s, r) => s + r.sample, 0);
  const byRemainder = [...rows].sort((a, b) => b.remainder - a.remainder || compareIds(a.stratum, b.stratum));
  while (assigned < target) {
    const next = byRemainder.find((r) => r.sample < r.population);
    if (!next) break;
    next.sample++;
    next.remainder = -1;
    assigned++;
    byRemainder.sort((a, b) => b.remainder - a.remainder || compareIds(a.stratum, b.stratum));
  }
  while (assigned > target) {
    const largest = [...rows].filter((r) => r.sample > 1).sort((a, b) => b.sample - a.sample || compareIds(a.stratum, b.stratum))[0];
    if (!largest) break;
    largest.sample--;
    assigned--;
  }
  return rows.map(({ stratum, population, sample }) => ({ stratum, population, sample }));
}

/** Code-point order, identical in every locale and runtime. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
