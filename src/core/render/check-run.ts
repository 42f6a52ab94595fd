import { POINTS_OF_FOCUS } from '../cc81.js';
import { CHECK_RUN_NAME } from '../constants.js';
import { shortSha } from '../format.js';
import type { RuleResult, RuleStatus, Verdict } from '../policy/verdict.js';
import { renderEvidenceDetails } from './evidence-details.js';
import { cell, table } from './markdown.js';

/** Where the policy came from, shown under the table so a verdict can be traced to its file. */
export interface PolicySourceInfo {
  /** e.g. `acme/.github:.github/changeproof.yml` merged under `acme/api:.github/changeproof.yml` */
  description: string;
}

/** A check run's `status`, `conclusion` and `output`, ready for the Checks API. */
export interface CheckRunView {
  name: string;
  status: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
}

/** GitHub rejects a check-run output summary over 65,535 characters. */
const MAX_SUMMARY = 65_535;
/** Titles show in one line of the pull request's checks list. */
const MAX_TITLE = 200;

const ICON: Record<RuleStatus, string> = { pass: '✅', fail: '❌', pending: '⏳', not_applicable: '➖' };

/**
 * Renders a verdict as Changeproof's check run (SPEC §2.1): compliant →
 * success; non_compliant and error → failure; emergency → neutral with the
 * retrospective deadline in the title; pending → in_progress; a change out of
 * scope → neutral, saying why it is not enforced.
 *
 * @example renderCheckRun(verdict, { description: 'acme/api:.github/changeproof.yml@3f2a…' })
 */
export function renderCheckRun(verdict: Verdict, policy?: PolicySourceInfo): CheckRunView {
  const { status, conclusion } = statusOf(verdict);
  const title = truncate(verdictTitle(verdict), MAX_TITLE);
  const summary = truncate(summaryOf(verdict, policy), MAX_SUMMARY, '\n\n… (truncated; the full evidence is in the ledger)');
  return { name: CHECK_RUN_NAME, status, ...(conclusion ? { conclusion } : {}), title, summary };
}

function statusOf(v: Verdict): Pick<CheckRunView, 'status' | 'conclusion'> {
  if (!v.enforced) return { status: 'completed', conclusion: 'neutral' };
  switch (v.outcome) {
    case 'compliant':
      return { status: 'completed', conclusion: 'success' };
    case 'emergency':
      return { status: 'completed', conclusion: 'neutral' };
    case 'pending':
      return { status: 'in_progress' };
    default:
      return { status: 'completed', conclusion: 'failure' };
  }
}

function unmet(v: Verdict, status: RuleStatus): RuleResult[] {
  return v.rules.filter((r) => r.status === status && r.rule !== 'scope' && r.rule !== 'emergency');
}

/** The title of a verdict's check run ("Not compliant: changes requested by @carol"), also how a merge group names a pull request's standing. */
export function verdictTitle(v: Verdict): string {
  const judged = (): string => {
    switch (v.outcome) {
      case 'compliant':
        return `Compliant: ${v.rules.filter((r) => r.status === 'pass' && r.rule !== 'scope').map((r) => r.short).join('; ')}`;
      case 'non_compliant':
        return `Not compliant: ${withMore(unmet(v, 'fail').map((r) => r.short))}`;
      case 'pending':
        return `Pending: ${withMore(unmet(v, 'pending').map((r) => r.short))}`;
      case 'emergency':
        return v.emergency?.deadline
          ? `Emergency change: retrospective approval due by ${v.emergency.deadline}`
          : `Emergency change: approval due within ${v.emergency?.hours ?? '?'} h of merge`;
      case 'error':
        return `Evaluation error: ${v.error ?? 'unknown cause'}. Re-run to retry`;
    }
  };
  return v.enforced ? judged() : `Not enforced: ${v.notEnforcedReason}`;
}

function withMore(items: string[]): string {
  return items.length > 1 ? `${items[0]} (+${items.length - 1} more)` : (items[0] ?? '');
}

const HEADLINE: Record<Verdict['outcome'], string> = {
  compliant: '✅ Compliant',
  non_compliant: '❌ Not compliant',
  pending: '⏳ Pending',
  emergency: '🚨 Emergency change',
  error: '⚠️ Evaluation error',
};

function summaryOf(v: Verdict, policy?: PolicySourceInfo): string {
  const head = v.enforced ? HEADLINE[v.outcome] : `➖ Not enforced (${v.notEnforcedReason}); would be: ${HEADLINE[v.outcome]}`;
  const rows = v.rules.map((r) => [ICON[r.status], cell(r.name), cell(r.required), cell(r.seen), cell(r.toPass ?? '—')]);
  const focus = [...new Set(v.rules.flatMap((r) => r.pointsOfFocus))]
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
    .map((id) => `${id} ${POINTS_OF_FOCUS[id]}`);
  const stage = v.stage === 'merge' ? `at merge (${v.subject.mergeCommitSha ?? 'merge commit unknown'}, merged by @${v.subject.mergedBy ?? 'unknown'} at ${v.subject.mergedAt})` : 'while open';
  return [
    `### ${head}`,
    table(['', 'Rule', 'Required', 'Seen', 'To pass'], rows),
    renderEvidenceDetails(v),
    [
      `Evaluated ${v.evaluatedAt} ${stage} on head \`${v.subject.headSha}\` (${shortSha(v.subject.headSha)}) of ${v.subject.url}`,
      policy ? `against ${policy.description}` : 'against the default policy',
      `(rules v${v.engineVersion}). Every evaluation is recorded in the Changeproof ledger.`,
    ].join(' '),
    `CC8.1 points of focus: ${focus.join('; ')}.`,
    v.outcome === 'error' || v.outcome === 'pending' || v.outcome === 'non_compliant' ? 'Use **Re-run** on this check to evaluate again.' : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function truncate(text: string, max: number, marker = '…'): string {
  return text.length <= max ? text : text.slice(0, max - marker.length) + marker;
}
