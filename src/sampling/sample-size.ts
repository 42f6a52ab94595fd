/**
 * How many items to test (SPEC §4, reference: sampling.md).
 *
 * - `auto`: the frequency table on the population's annualised count
 *   `N × 365 / days`: ≥ 250 a year (daily or more) → 25; ≥ 52 (weekly) → 10;
 *   ≥ 12 (monthly) → 3; ≥ 4 (quarterly) → 2; fewer → 1.
 * - statistical: attribute sampling with zero expected deviations,
 *   `n = ceil(ln(1 − confidence) / ln(1 − tolerable rate))` (AICPA Audit
 *   Sampling guide, Appendix A).
 * - a fixed number.
 *
 * Never more than the population.
 */
export type SampleSizeRule =
  | { method: 'auto' }
  | { method: 'fixed'; size: number }
  | { method: 'statistical'; confidence: number; tolerableRate: number };

export interface SampleSize {
  size: number;
  /** How it was derived, in words, for selection.json and the report. */
  derivation: string;
}

export const FREQUENCY_TABLE = [
  { atLeastPerYear: 250, size: 25, frequency: 'daily or more often' },
  { atLeastPerYear: 52, size: 10, frequency: 'weekly' },
  { atLeastPerYear: 12, size: 3, frequency: 'monthly' },
  { atLeastPerYear: 4, size: 2, frequency: 'quarterly' },
  { atLeastPerYear: 0, size: 1, frequency: 'less than quarterly' },
] as const;

export function sampleSize(rule: SampleSizeRule, population: number, days: number): SampleSize {
  const cap = (n: number, how: string): SampleSize =>
    n > population ? { size: population, derivation: `${how}; capped at the population of ${population}` } : { size: n, derivation: how };
  switch (rule.method) {
    case 'fixed':
      return cap(rule.size, `fixed at ${rule.size}`);
    case 'statistical': {
      const n = statisticalSize(rule.confidence, rule.tolerableRate);
      return cap(n, `attribute sampling, zero expected deviations: ceil(ln(1 − ${rule.confidence}) / ln(1 − ${rule.tolerableRate})) = ${n}`);
    }
    case 'auto': {
      const annualised = (population * 365) / days;
      const row = FREQUENCY_TABLE.find((r) => annualised >= r.atLeastPerYear)!;
      return cap(row.size, `frequency table: ${population} items in ${days} days ≈ ${annualised.toFixed(1)} a year (${row.frequency}) → ${row.size}`);
    }
  }
}

/** `ceil(ln(1 − confidence) / ln(1 − tolerableRate))`, guarded against floating-point noise (95%/5% is 58.4 → 59). */
export function statisticalSize(confidence: number, tolerableRate: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1 (exclusive), got ${confidence}`);
  if (!(tolerableRate > 0 && tolerableRate < 1)) throw new RangeError(`tolerable rate must be between 0 and 1 (exclusive), got ${tolerableRate}`);
  const exact = Math.log(1 - confidence) / Math.log(1 - tolerableRate);
  return Math.ceil(exact - 1e-9);
}
