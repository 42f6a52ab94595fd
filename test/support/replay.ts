import { evaluate } from '../../src/core/policy/evaluate.js';
import { evidenceGapVerdict, policyErrorVerdict } from '../../src/core/policy/special-verdicts.js';
import type { EvaluationRecord } from '../../src/core/records.js';
import { canonicalJson, type LedgerEntry } from '../../src/ledger/index.js';

/**
 * Re-computes, offline, every recorded verdict that has its evidence
 * (`evaluation` and `change` entries with facts): the policy and facts of the
 * snapshot, evaluated at the recorded time. Returns the entries whose
 * re-computed verdict differs from the recorded one, and how many were replayed.
 *
 * @example expect(replayVerdicts(entries).mismatches).toEqual([]);
 */
export function replayVerdicts(entries: Iterable<LedgerEntry>): { replayed: number; mismatches: Array<{ seq: number; recorded: unknown; recomputed: unknown }> } {
  let replayed = 0;
  const mismatches: Array<{ seq: number; recorded: unknown; recomputed: unknown }> = [];
  for (const entry of entries) {
    if (entry.kind !== 'evaluation' && entry.kind !== 'change') continue;
    const record = entry.data as unknown as EvaluationRecord;
    if (!record.facts || !record.policy) continue;
    const at = new Date(record.verdict.evaluatedAt);
    const verdict = record.facts.gaps.length
      ? evidenceGapVerdict(record.facts, at)
      : record.policy.valid
        ? evaluate(record.policy.settings, record.facts, at)
        : policyErrorVerdict(record.facts, record.policy.problems, at);
    const recomputed = JSON.parse(JSON.stringify(verdict)) as unknown;
    replayed += 1;
    // The ledger holds RFC 8785 text: compare in that form, member order aside.
    if (canonicalJson(recomputed) !== canonicalJson(record.verdict)) mismatches.push({ seq: entry.seq, recorded: record.verdict, recomputed });
  }
  return { replayed, mismatches };
}
