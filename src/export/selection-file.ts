import { createHash } from 'node:crypto';
import type { ObservationPeriod } from '../sampling/period.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import type { SizeRaise, Selection } from '../sampling/select-sample.js';

/**
 * `selection.json` (SPEC §5): everything another person needs to re-draw the
 * sample — the population's definition, size and hash, the size rule and
 * how it gave n (and, for a stratified draw, whether n was raised to one item
 * per stratum: `sample_size.raised`, null when not), the generator,
 * algorithm, seed, strata and the ids. It holds no time and no path, so the
 * same ledger and seed give the same bytes. `raised` was added within v1: a
 * file without it is read as not saying (verify-export applies the rule anyway).
 */
export const SELECTION_FORMAT = 'changeproof-selection/v1';

export const POPULATION_DEFINITION =
  'Every change record merged in the period, every direct-push exception pushed in the period, and every deployment to a ' +
  'gated environment created in the period (by when it happened on GitHub, in the time zone), from the verified ledger, one row each.';

export const POPULATION_HASH_METHOD = 'sha256 of the UTF-8 population ids sorted by code point, each followed by "\\n"';

export interface SelectionDocument {
  format: string;
  population: {
    definition: string;
    period: { from: string; to: string; time_zone: string; start: string; end: string; days: number; label: string };
    repositories: string[] | 'all';
    size: number;
    hash: { method: string; value: string };
  };
  sample_size: {
    rule: SampleSizeRule | { method: 'auditor_list' };
    size: number;
    derivation: string;
    /** Absent in files written before it was added. */
    raised?: SizeRaise | null;
  };
  method: Selection['method'];
  prng: string;
  algorithm: string;
  seed: string | null;
  strata: Selection['strata'];
  allocation: Selection['allocation'];
  ids: string[];
}

/** Hex SHA-256 of the sorted ids, each followed by `\n`. */
export function populationHash(sortedIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (let i = 0; i < sortedIds.length; i += 4096) hash.update(`${sortedIds.slice(i, i + 4096).join('\n')}\n`, 'utf8');
  return hash.digest('hex');
}

export function selectionDocument(input: {
  period: ObservationPeriod;
  populationSize: number;
  populationHash: string;
  rule: SampleSizeRule;
  derivation: string;
  selection: Selection;
  repos: string[] | null;
}): string {
  const { period, selection } = input;
  const doc: SelectionDocument = {
    format: SELECTION_FORMAT,
    population: {
      definition: POPULATION_DEFINITION,
      period: { from: period.from, to: period.to, time_zone: period.timeZone, start: period.start, end: period.end, days: period.days, label: period.label },
      repositories: input.repos ? [...input.repos].sort() : 'all',
      size: input.populationSize,
      hash: { method: POPULATION_HASH_METHOD, value: input.populationHash },
    },
    sample_size: {
      rule: selection.method === 'auditor_list' ? { method: 'auditor_list' } : input.rule,
      size: selection.ids.length,
      derivation: input.derivation,
      raised: selection.raised,
    },
    method: selection.method,
    prng: selection.prng,
    algorithm: selection.algorithm,
    seed: selection.seed,
    strata: selection.strata,
    allocation: selection.allocation,
    ids: selection.ids,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
