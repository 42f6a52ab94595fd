import { allocateStrata, type SizeRaise, type StratumAllocation, type StratumCount } from './allocate.js';
import { allocateV1 } from './allocate-v1.js';
import { PRNG_NAME, SeededRandom, shuffle } from './prng.js';

export type { SizeRaise, StratumAllocation } from './allocate.js';

/**
 * The version of the selection algorithm below; recorded with every sample.
 * v2 allocates strata exactly (allocate.ts); v1, its floating-point
 * predecessor, is still applied to re-draw packages that name it.
 */
export const SELECTION_ALGORITHM = 'fisher-yates-sorted-by-id-v2';
export const SELECTION_ALGORITHM_V1 = 'fisher-yates-sorted-by-id-v1';
export const SELECTION_ALGORITHMS: readonly string[] = [SELECTION_ALGORITHM, SELECTION_ALGORITHM_V1];

export type Strata = 'none' | 'month' | 'repo';

export interface SampleItem {
  /** Stable, unique change id (population.csv `id`). */
  id: string;
  /** `YYYY-MM` in the export's time zone. */
  month: string;
  /** `owner/name` */
  repo: string;
}

export interface Selection {
  method: 'random' | 'stratified' | 'auditor_list';
  prng: string;
  algorithm: string;
  seed: string | null;
  strata: Strata;
  allocation: StratumAllocation[];
  /** Set when n was raised to one per stratum (allocate.ts); null otherwise. */
  raised: SizeRaise | null;
  /** Selected ids, sorted. */
  ids: string[];
}

/**
 * Draws a reproducible sample of `size` items.
 *
 * - `none`: sort the population by id (code-point order), shuffle it with
 *   Fisher–Yates driven by `sha256-ctr-v1(seed, "main")`, take the first `size`.
 * - `month` / `repo`: allocate `size` to the strata with `allocateStrata`
 *   (exact largest remainder, ties to the earlier stratum name, at least one
 *   per non-empty stratum, `size` raised to the number of strata when
 *   smaller); then draw within each stratum as above with the stream
 *   `stratum:<name>`.
 *
 * @example selectSample(items, 25, 'seed-1', 'month').ids
 */
export function selectSample(items: readonly SampleItem[], size: number, seed: string, strata: Strata, algorithm: string = SELECTION_ALGORITHM): Selection {
  if (!SELECTION_ALGORITHMS.includes(algorithm)) throw new RangeError(`unknown selection algorithm ${JSON.stringify(algorithm)} (this version knows ${SELECTION_ALGORITHMS.join(', ')})`);
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  if (strata === 'none') {
    const n = Math.min(size, sorted.length);
    const ids = shuffle(sorted, new SeededRandom(seed, 'main')).slice(0, n).map((i) => i.id).sort(compareIds);
    return { method: 'random', prng: PRNG_NAME, algorithm, seed, strata, allocation: [{ stratum: 'all', population: sorted.length, sample: n }], raised: null, ids };
  }
  const groups = groupByStratum(sorted, strata);
  const { allocation, raised } = algorithm === SELECTION_ALGORITHM_V1
    ? { allocation: allocateV1(countsOf(groups), Math.min(size, sorted.length)), raised: null }
    : allocateStrata(countsOf(groups), Math.min(size, sorted.length));
  const ids = allocation
    .flatMap((a) => shuffle(groups.get(a.stratum)!, new SeededRandom(seed, `stratum:${a.stratum}`)).slice(0, a.sample))
    .map((i) => i.id)
    .sort(compareIds);
  return { method: 'stratified', prng: PRNG_NAME, algorithm, seed, strata, allocation, raised, ids };
}

/** Each stratum's population, by stratum name in code-point order (the order of selection.json's allocation). */
export function countStrata(items: readonly SampleItem[], strata: Exclude<Strata, 'none'>): StratumCount[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = strata === 'month' ? item.month : item.repo;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([stratum, population]) => ({ stratum, population })).sort((a, b) => compareIds(a.stratum, b.stratum));
}

/** Proportional allocation of `size` (see allocateStrata), per stratum. */
export function allocate(strata: readonly StratumCount[], size: number): StratumAllocation[] {
  return allocateStrata(strata, size).allocation;
}

function groupByStratum(sorted: readonly SampleItem[], strata: Exclude<Strata, 'none'>): Map<string, SampleItem[]> {
  const groups = new Map<string, SampleItem[]>();
  for (const item of sorted) {
    const key = strata === 'month' ? item.month : item.repo;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function countsOf(groups: Map<string, SampleItem[]>): StratumCount[] {
  return [...groups].map(([stratum, group]) => ({ stratum, population: group.length })).sort((a, b) => compareIds(a.stratum, b.stratum));
}

/** Code-point order, identical in every locale and runtime. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
