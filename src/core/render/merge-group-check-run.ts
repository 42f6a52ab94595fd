import { CHECK_RUN_NAME } from '../constants.js';
import { shortSha } from '../format.js';
import type { MergeGroupMember, MergeGroupRecord, MergeGroupStanding } from '../records.js';
import { cell, link, table } from './markdown.js';

/** A merge group's check run: always completed (the queue waits for no pending verdict). */
export interface MergeGroupCheckRunView {
  name: string;
  status: 'completed';
  conclusion: MergeGroupRecord['conclusion'];
  title: string;
  summary: string;
}

const MAX_TITLE = 200;
const MAX_SUMMARY = 65_535;
const ICON: Record<MergeGroupStanding, string> = { passes: '✅', emergency: '🚨', not_enforced: '➖', fails: '❌' };
const OUTCOME: Record<MergeGroupMember['outcome'], string> = {
  compliant: 'Compliant',
  non_compliant: 'Not compliant',
  pending: 'Pending',
  emergency: 'Emergency change',
  error: 'Evaluation error',
};

/**
 * Renders a merge group's recorded evaluation as the `Change control (CC8.1)`
 * check run on the group's head commit: the conclusion, a title naming every
 * pull request that keeps the group from passing (in its own check's words),
 * and a table of every pull request in the group with what it lacks and what
 * to do.
 *
 * @example renderMergeGroupCheckRun(record, { policy: 'acme/api:.github/changeproof.yml (blob 3f2a…)' })
 */
export function renderMergeGroupCheckRun(record: MergeGroupRecord, options: { policy?: string } = {}): MergeGroupCheckRunView {
  return {
    name: CHECK_RUN_NAME,
    status: 'completed',
    conclusion: record.conclusion,
    title: truncate(titleOf(record), MAX_TITLE, '…'),
    summary: truncate(summaryOf(record, options.policy), MAX_SUMMARY, '\n\n… (truncated; the full evaluation is in the ledger)'),
  };
}

function titleOf(r: MergeGroupRecord): string {
  const numbers = r.pullRequests.map((m) => `#${m.number}`).join(', ');
  if (r.membership.source === null) return `Evaluation error: the pull requests of this merge group could not be established. Re-run to retry`;
  const failing = r.pullRequests.filter((m) => m.standing === 'fails');
  if (failing.length && failing.every((m) => m.outcome === 'error')) {
    return `Evaluation error: ${failing.map((m) => `#${m.number} could not be evaluated`).join('; ')}. Re-run to retry`;
  }
  if (failing.length) return `Not compliant: ${failing.map((m) => `#${m.number} (${why(m)})`).join('; ')}`;
  if (r.conclusion === 'neutral') {
    return `${r.pullRequests.filter((m) => m.standing !== 'passes').map((m) => `#${m.number}: ${m.headline}`).join('; ')}`;
  }
  return `Compliant: ${r.pullRequests.length === 1 ? `the group's pull request ${numbers}` : `all ${r.pullRequests.length} pull requests of the group (${numbers})`}`;
}

/** A failing pull request's unmet rules, as its own check run's title words them (without its "Not compliant:" prefix). */
function why(m: MergeGroupMember): string {
  const words = m.failing.map((f) => (f.status === 'pending' ? `still pending: ${f.short}` : f.short));
  if (m.outcome === 'error') return `could not be evaluated: ${m.verdict.error ?? 'unknown cause'}`;
  return words.join('; ') || m.headline;
}

function summaryOf(r: MergeGroupRecord, policy: string | undefined): string {
  const failing = r.pullRequests.filter((m) => m.standing === 'fails');
  const head = r.membership.source === null
    ? '### ⚠️ Evaluation error: the pull requests of this merge group could not be established'
    : r.conclusion === 'success'
      ? `### ✅ Compliant: every pull request in this merge group (${r.pullRequests.length})`
      : r.conclusion === 'neutral'
        ? '### ➖ No pull request fails, but not every one is a compliant change'
        : `### ❌ Not compliant: ${failing.length} of ${r.pullRequests.length} pull requests in this merge group`;
  const rows = r.pullRequests.map((m) => [
    ICON[m.standing],
    cell(`${link(`#${m.number}`, m.url)}${m.facts ? ` ${m.facts.title}` : ''}${m.facts?.author ? ` by @${m.facts.author.login}` : ''}`),
    cell(m.position === null ? '—' : String(m.position)),
    cell(m.headSha ? `\`${shortSha(m.headSha)}\`` : '—'),
    cell(OUTCOME[m.outcome] + (m.enforced ? '' : ' (not enforced)')),
    cell(m.standing === 'passes' ? '—' : m.outcome === 'error' ? (m.verdict.error ?? 'unknown cause') : m.failing.map((f) => `${f.name}: ${f.short}`).join('; ') || m.headline),
  ]);
  const fixes = r.pullRequests
    .filter((m) => m.standing !== 'passes')
    .map((m) => {
      const steps = m.failing.filter((f) => f.toPass).map((f) => `- ${f.name}: ${f.toPass}`);
      return `**#${m.number}** — ${m.headline}${steps.length ? `\n${steps.join('\n')}` : ''}`;
    });
  const group = `This merge group (head \`${r.headSha}\` on \`${r.headRef}\`, to merge into \`${r.baseRef}\`${r.baseSha ? ` on top of \`${shortSha(r.baseSha)}\`` : ''})`;
  return [
    head,
    r.membership.source === null
      ? `${group}: ${r.membership.detail}. A group whose pull requests cannot be told never passes.`
      : `${group} holds ${r.pullRequests.length === 1 ? 'one pull request' : `${r.pullRequests.length} pull requests`}, ${r.membership.detail}. Each is judged now, exactly as its own check judges it; the group passes only when every one is compliant.`,
    r.pullRequests.length ? table(['', 'Pull request', 'Queue position', 'Head', 'Verdict', 'Unmet'], rows) : '',
    fixes.length ? `#### What stands in the way\n\n${fixes.join('\n\n')}` : '',
    r.reason && r.conclusion === 'neutral' ? `The group is neutral, not a success: ${r.reason}. An emergency change is recorded as an exception when it merges and must be approved within its window.` : '',
    `Evaluated ${r.evaluatedAt} ${policy ? `against ${policy}` : 'against the default policy'}. Every evaluation is recorded in the Changeproof ledger; the documentation (docs/controls.md, "Merge queues") explains how a merge group is judged.`,
    r.conclusion === 'success' ? '' : 'Use **Re-run** on this check to evaluate the group again.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function truncate(text: string, max: number, marker: string): string {
  return text.length <= max ? text : text.slice(0, max - marker.length) + marker;
}
