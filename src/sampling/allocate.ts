export interface StratumCount {
  stratum: string;
  population: number;
}

export interface StratumAllocation {
  stratum: string;
  population: number;
  sample: number;
}

/** n raised to one per stratum (SPEC §6.5), as recorded in selection.json. */
export interface SizeRaise {
  /** The size rule's n. */
  from: number;
  /** The n drawn: the number of non-empty strata. */
  to: number;
  /** Non-empty strata. */
  strata: number;
  reason: string;
}

export interface StratifiedAllocation {
  /** The n asked for (the size rule's). */
  requested: number;
  /** The n allocated: requested, raised to the number of non-empty strata, never above N. */
  size: number;
  raised: SizeRaise | null;
  /** One row per stratum given, in the order given. */
  allocation: StratumAllocation[];
}

export const RAISE_REASON = 'at least one item per stratum';

/**
 * Stratified allocation (SPEC §4, §6.5; docs/auditor-guide.md, "Stratified
 * allocation", whose step numbers these are): how many items each stratum
 * gives to the sample. The one rule, used to draw the sample (`selectSample`)
 * and to check it (`verify-export`, through `sampleSize`), so the two cannot
 * disagree. Exact: every comparison is between integers (BigInt).
 *
 * With the non-empty strata i (population p_i, total N, k of them) and the
 * size rule's n:
 *
 * 2. n′ = min(N, max(n, k)): n is raised to k so that every stratum can give
 *    one item (the raise is recorded).
 * 3. Quota q_i = p_i·n′ / N; start from a_i = max(1, ⌊q_i⌋).
 * 4. Gap g_i = p_i·n′ − a_i·N (N times how far a_i is below its quota).
 * 5. While Σa < n′: one more to the largest g_i (ties: the earlier name).
 * 6. While Σa > n′: one fewer from the smallest g_i among the a_i ≥ 2
 *    (ties: the later name). Every tie favours the earlier stratum name.
 *
 * Step 5 only ever picks g_i > 0 (the gaps sum to N·(n′ − Σa)), so
 * a_i < q_i ≤ p_i and no stratum gets more than it holds; and no stratum is
 * picked twice (after a pick its gap is negative). Step 6 always finds a
 * stratum with a_i ≥ 2, since Σ(a_i − 1) = Σa − k > n′ − k ≥ 0. Without a
 * floor of 0, step 5 is the classic largest remainder: g_i = p_i·n′ mod N.
 *
 * @example allocateStrata([{ stratum: '2026-01', population: 100 }, { stratum: '2026-02', population: 1 }], 1)
 * // → size 2 (raised from 1): 1 and 1
 */
export function allocateStrata(strata: readonly StratumCount[], requested: number): StratifiedAllocation {
  const names = new Set<string>();
  for (const s of strata) {
    if (!Number.isSafeInteger(s.population) || s.population < 0) throw new RangeError(`stratum ${s.stratum}: population must be a whole number ≥ 0, got ${s.population}`);
    if (names.has(s.stratum)) throw new RangeError(`stratum ${s.stratum} is given twice`);
    names.add(s.stratum);
  }
  if (!Number.isSafeInteger(requested) || requested < 0) throw new RangeError(`the sample size must be a whole number ≥ 0, got ${requested}`);
  const total = strata.reduce((sum, s) => sum + s.population, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`the strata hold ${total} items in all: too many to count exactly`);
  const nonEmpty = strata.filter((s) => s.population > 0).length;
  const size = Math.min(total, Math.max(requested, nonEmpty));
  const raised = size > requested ? { from: requested, to: size, strata: nonEmpty, reason: RAISE_REASON } : null;
  const seats = largestRemainder(strata.filter((s) => s.population > 0), size, total);
  const allocation = strata.map((s) => ({ stratum: s.stratum, population: s.population, sample: seats.get(s.stratum) ?? 0 }));
  return { requested, size, raised, allocation };
}

interface Row {
  stratum: string;
  seats: number;
  /** p·n′ − seats·N */
  gap: bigint;
}

/** Steps 3–6, over non-empty strata, with size ≥ their count and ≤ total. */
function largestRemainder(strata: readonly StratumCount[], size: number, total: number): Map<string, number> {
  const N = BigInt(total);
  const rows: Row[] = strata.map((s) => {
    const quota = BigInt(s.population) * BigInt(size);
    const seats = Math.max(1, Number(quota / N));
    return { stratum: s.stratum, seats, gap: quota - BigInt(seats) * N };
  });
  const assigned = rows.reduce((sum, r) => sum + r.seats, 0);
  if (assigned < size) {
    // Step 5: each stratum is picked at most once (see allocateStrata), so the first (size − assigned) by gap.
    const order = [...rows].sort((a, b) => compareBig(b.gap, a.gap) || compareNames(a.stratum, b.stratum));
    for (const row of order.slice(0, size - assigned)) row.seats += 1;
  } else if (assigned > size) {
    takeBack(rows, assigned - size, N);
  }
  return new Map(rows.map((r) => [r.stratum, r.seats]));
}

/**
 * Step 6, `count` times: one seat from the smallest gap among strata holding
 * two or more (ties: the later name). A stratum's gap grows by N with each
 * seat it gives back, so the seats given back are the `count` smallest of the
 * keys p·n′ − j·N (j = a_i … 2) over all strata: sorted once, not re-scanned.
 */
function takeBack(rows: Row[], count: number, N: bigint): void {
  const keys: { row: Row; key: bigint }[] = [];
  for (const row of rows) {
    for (let j = row.seats; j >= 2 && row.seats - j < count; j--) keys.push({ row, key: row.gap + BigInt(row.seats - j) * N });
  }
  keys.sort((a, b) => compareBig(a.key, b.key) || compareNames(b.row.stratum, a.row.stratum));
  for (const { row } of keys.slice(0, count)) row.seats -= 1;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-point order (as compareIds), identical in every locale and runtime. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
