import { allocateStrata, type SizeRaise, type StratumAllocation } from './allocate.js';
import { countStrata, type SampleItem, type Strata } from './select-sample.js';
import { plural } from '../core/format.js';

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
 * Never more than the population. A stratified draw raises n to the number of
 * non-empty strata when it is smaller, so each gives at least one item
 * (SPEC §6.5, allocate.ts): `changeproof export` and `verify-export` both take
 * n from here, so the export and its check cannot disagree.
 */
export type SampleSizeRule =
  | { method: 'auto' }
  | { method: 'fixed'; size: number }
  | { method: 'statistical'; confidence: number; tolerableRate: number };

export interface SampleSize {
  /** The n to draw: the rule's, raised to one per stratum when stratified. */
  size: number;
  /** How it was derived, in words (the raise included), for selection.json and the report. */
  derivation: string;
  /** The n the rule gives, before any raise. */
  ruleSize: number;
  raised: SizeRaise | null;
  /** Per stratum, for a stratified draw; null otherwise. */
  allocation: StratumAllocation[] | null;
}

/** The population by stratum, for a stratified draw. */
export interface Stratification {
  strata: Strata;
  items: readonly SampleItem[];
}

export const FREQUENCY_TABLE = [
  { atLeastPerYear: 250, size: 25, frequency: 'daily or more often' },
  { atLeastPerYear: 52, size: 10, frequency: 'weekly' },
  { atLeastPerYear: 12, size: 3, frequency: 'monthly' },
  { atLeastPerYear: 4, size: 2, frequency: 'quarterly' },
  { atLeastPerYear: 0, size: 1, frequency: 'less than quarterly' },
] as const;

/**
 * @example sampleSize({ method: 'fixed', size: 2 }, items.length, 90, { strata: 'month', items }).size // 3 when items span 3 months
 */
export function sampleSize(rule: SampleSizeRule, population: number, days: number, stratified: Stratification | null = null): SampleSize {
  const sized = sizeByRule(rule, population, days);
  if (!stratified || stratified.strata === 'none') return { ...sized, ruleSize: sized.size, raised: null, allocation: null };
  const strata = stratified.strata;
  const { size, raised, allocation } = allocateStrata(countStrata(stratified.items, strata), sized.size);
  const derivation = raised ? `${sized.derivation}; ${describeRaise(raised, strata)}` : sized.derivation;
  return { size, derivation, ruleSize: sized.size, raised, allocation };
}

/** @example describeRaise({ from: 2, to: 3, strata: 3, reason }, 'month') // "raised from 2 to 3: at least one item per stratum (3 month strata)" */
export function describeRaise(raised: SizeRaise, strata: Exclude<Strata, 'none'>): string {
  return `raised from ${raised.from} to ${raised.to}: ${raised.reason} (${raised.strata} ${strata} strata)`;
}

function sizeByRule(rule: SampleSizeRule, population: number, days: number): { size: number; derivation: string } {
  const cap = (n: number, how: string) =>
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
      return cap(row.size, `frequency table: ${plural(population, 'item', 'items')} in ${plural(days, 'day', 'days')} ≈ ${annualised.toFixed(1)} a year (${row.frequency}) → ${row.size}`);
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
