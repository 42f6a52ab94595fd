import { POINTS_OF_FOCUS } from '../../core/cc81.js';
import type { EvaluationRecord, Trigger } from '../../core/records.js';
import type { RuleStatus, Verdict } from '../../core/policy/verdict.js';
import type { LedgerEntry } from '../../ledger/ledger.js';
import { yesNo } from './evidence-words.js';
import { escapeHtml, fields, hash, NOT_RECORDED, show, table, time, verdictLabel } from './page.js';
import { list, view, type View } from './loose.js';

/**
 * The final verdict of a change: outcome, enforcement, stage, emergency and
 * error, as the rules engine recorded them.
 *
 * @example section('verdict', 'Final verdict', verdictFields(view<Verdict>(record.verdict)))
 */
export function verdictFields(v: View<Verdict>): string {
  const emergency = v.emergency
    ? `label <code>${show(v.emergency.label)}</code>, retrospective approval due within ${show(v.emergency.hours)} h, by ${time(v.emergency.deadline)}`
    : v.emergency === null ? 'no' : NOT_RECORDED;
  return fields([
    ['Outcome', verdictLabel(v.outcome) + (v.outcome === 'error' ? ' — the evidence could not be established; never a pass' : '')],
    ['Enforced', yesNo(v.enforced, 'yes', `no: ${show(v.notEnforcedReason)} (recorded, not enforced)`)],
    ['Stage', v.stage === 'merge' ? 'at merge (final)' : v.stage === 'open' ? 'while open' : show(v.stage)],
    ['Evaluated at (UTC)', time(v.evaluatedAt)],
    ['Emergency', emergency],
    ['Error', v.error ? show(v.error) : v.error === null ? 'none' : NOT_RECORDED],
    ['Rules engine version', show(v.engineVersion)],
  ]);
}

const RULE_STATUS: Record<RuleStatus, string> = {
  pass: '<span class="pass">Pass</span>',
  fail: '<span class="fail">Fail</span>',
  pending: '<span class="warn">Pending</span>',
  not_applicable: '<span class="na">Not applicable</span>',
};

/** Each rule result of a verdict: what it required, what it saw, what would make it pass, and its CC8.1 points of focus. */
export function rulesTable(v: View<Verdict>): string {
  const focus = (id: unknown) => (typeof id === 'string' && id in POINTS_OF_FOCUS ? `${escapeHtml(id)} ${escapeHtml(POINTS_OF_FOCUS[id as keyof typeof POINTS_OF_FOCUS])}` : show(id));
  const rows = list(v.rules).map((r) => [
    show(r.name ?? r.rule),
    typeof r.status === 'string' && r.status in RULE_STATUS ? RULE_STATUS[r.status as RuleStatus] : show(r.status),
    show(r.required),
    show(r.seen),
    r.toPass ? show(r.toPass) : '—',
    list(r.pointsOfFocus).map(focus).join('<br>') || '—',
  ]);
  return table(['Rule', 'Status', 'Required', 'Seen', 'To pass', 'CC8.1 points of focus'], rows, { empty: 'No rule results recorded.' });
}

function triggerName(t: View<Trigger>): string {
  return `${show(t.event)}${t.action ? `.${show(t.action)}` : ''}`;
}

/** The deliveries one evaluation also answered (folded into it), counted by kind: `; also answered 9 × check_run.completed, 1 × pull_request_review.submitted`. */
function foldedNote(coalesced: ReadonlyArray<View<Trigger>>): string {
  if (!coalesced.length) return '';
  const counts = new Map<string, number>();
  for (const t of coalesced) counts.set(triggerName(t), (counts.get(triggerName(t)) ?? 0) + 1);
  return `; also answered ${[...counts].map(([name, n]) => `${n} × ${name}`).join(', ')}`;
}

/** Every evaluation of the change, oldest first: how the verdict evolved until merge. */
export function historyTable(entries: readonly LedgerEntry[]): string {
  const rows = entries
    .filter((e) => e.kind === 'evaluation' || e.kind === 'change')
    .map((e) => {
      const r = view<EvaluationRecord>(e.data);
      const trigger = r.trigger ? triggerName(r.trigger) + foldedNote(list(r.coalesced).map((t) => view<Trigger>(t))) : NOT_RECORDED;
      return [show(e.seq), time(e.recorded_at), show(e.kind), verdictLabel(r.verdict?.outcome), time(r.verdict?.evaluatedAt), hash(r.verdict?.subject?.headSha), trigger];
    });
  const headers = ['Seq', 'Recorded at (UTC)', 'Kind', 'Outcome', 'Evaluated at (UTC)', 'Head SHA', 'Trigger'];
  return `<h3>Evaluation history</h3>${table(headers, rows, { numeric: [0], empty: 'No evaluation recorded.' })}`;
}
