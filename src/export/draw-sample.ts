import type { ObservationPeriod } from '../sampling/period.js';
import { parseSelectionList } from '../sampling/auditor-selection.js';
import { sampleSize, type SampleSizeRule } from '../sampling/sample-size.js';
import { compareIds, selectSample, type SampleItem, type Selection, type Strata } from '../sampling/select-sample.js';
import { populationHash } from './selection-file.js';

export interface DrawnSample {
  selection: Selection;
  /** How n was derived, in words (and why it was raised, when it was). */
  derivation: string;
  /** The population's ids, sorted by code point. */
  ids: string[];
  populationHash: string;
  /** The seed used (drawn when none was given); null for an auditor's list. */
  seed: string | null;
}

export interface DrawOptions {
  period: ObservationPeriod;
  rule: SampleSizeRule;
  strata: Strata;
  seed: string | null;
  drawSeed: () => string;
  /** An auditor's own selection list instead of a draw. */
  selection: { text: string; name: string } | null;
}

/** Sizes and draws the sample (SPEC §4), or takes the auditor's list as given. */
export function drawSample(items: readonly SampleItem[], options: DrawOptions): DrawnSample {
  const ids = items.map((i) => i.id).sort(compareIds);
  const hash = populationHash(ids);
  if (options.selection) {
    const selection = parseSelectionList(options.selection.text, new Set(ids));
    const derivation = `the auditor's own selection list (${options.selection.name}): ${selection.ids.length} ${selection.ids.length === 1 ? 'item' : 'items'}`;
    return { selection, derivation, ids, populationHash: hash, seed: null };
  }
  // n as verify-export checks it; selectSample raises the rule's n the same way (allocateStrata) and records the raise.
  const size = sampleSize(options.rule, ids.length, options.period.days, { strata: options.strata, items });
  const seed = options.seed ?? options.drawSeed();
  return { selection: selectSample(items, size.ruleSize, seed, options.strata), derivation: size.derivation, ids, populationHash: hash, seed };
}
