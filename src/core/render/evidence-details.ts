import { CHECK_RUN_NAME } from '../constants.js';
import { shortSha } from '../format.js';
import type {
  ChecksEvidence,
  CodeOwnersEvidence,
  PeerReviewEvidence,
  RuleResult,
  SeparationOfDutiesEvidence,
  Verdict,
} from '../policy/verdict.js';
import { describeContributor } from '../policy/contributors.js';
import { cell, details, link, table } from './markdown.js';

/** Long lists are cut in the check run; the ledger keeps every item. */
const MAX_ROWS = 100;

/**
 * The evidence behind the rule table, as collapsed sections: every reviewer's
 * standing, every check judged or set aside, every contributor and
 * unattributed commit — people, SHAs, names and times, exactly.
 */
export function renderEvidenceDetails(v: Verdict): string {
  const find = <E,>(rule: string) => v.rules.find((r) => r.rule === rule) as RuleResult<E> | undefined;
  return [
    reviewsSection(find<PeerReviewEvidence>('peer_review')?.evidence),
    checksSection(find<ChecksEvidence>('checks')?.evidence),
    codeOwnersSection(find<CodeOwnersEvidence>('code_owners')?.evidence),
    peopleSection(find<SeparationOfDutiesEvidence>('separation_of_duties')?.evidence),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function reviewsSection(e: PeerReviewEvidence | undefined): string {
  if (!e) return '';
  if (!e.reviewers.length) return details('Reviews (none)', 'No reviews have been submitted.');
  const rows = e.reviewers.map((s) => [
    `@${cell(s.login)}`,
    link(s.state, s.url),
    s.commitSha ? `\`${shortSha(s.commitSha)}\`${s.onHead ? ' (head)' : ''}` : '—',
    s.submittedAt ?? '—',
    s.counts ? '✅ counts' : s.state === 'APPROVED' ? `❌ ${cell(s.notCountedBecause.map((r) => r.detail).join('; '))}` : '—',
  ]);
  return details(
    `Reviews (${e.counted} of ${e.requiredApprovals} required approvals count)`,
    limited(table(['Reviewer', 'Latest review', 'On commit', 'Submitted (UTC)', 'Approval'], rows.slice(0, MAX_ROWS)), rows.length),
  );
}

function checksSection(e: ChecksEvidence | undefined): string {
  if (!e) return '';
  const icon = { passing: '✅', failing: '❌', pending: '⏳' } as const;
  const rows = e.considered.map((c) => [
    icon[c.result],
    link(cell(c.name), c.url),
    c.source === 'check_run' ? 'check run' : 'status',
    c.conclusion ?? c.status,
    c.at ?? '—',
    c.requiredBy.length ? cell(c.requiredBy.map((p) => `\`${p}\``).join(', ')) : '—',
  ]);
  const missing = e.missingRequired.map((p) => ['⏳', cell(`\`${p}\``), '—', 'not reported', '—', cell(`\`${p}\``)]);
  // The check run does not list itself: it would read differently once it exists, costing a
  // second write of every verdict (the ledger's evidence still says it was set aside).
  const others = e.ignored.filter((i) => !(i.source === 'check_run' && i.name === CHECK_RUN_NAME));
  const ignored = others.length
    ? `\n\nNot judged: ${cell(others.slice(0, MAX_ROWS).map((i) => `\`${i.name}\` (${i.why})`).join('; '))}${others.length > MAX_ROWS ? ` and ${others.length - MAX_ROWS} more` : ''}.`
    : '';
  const all = [...rows, ...missing];
  return details(
    `Checks on \`${shortSha(e.headSha)}\` (${e.passing} passing, at least ${e.minPassing} required)`,
    (all.length ? limited(table(['', 'Name', 'Kind', 'Result', 'At (UTC)', 'Required by'], all.slice(0, MAX_ROWS)), all.length) : 'No checks reported.') + ignored,
  );
}

function codeOwnersSection(e: CodeOwnersEvidence | undefined): string {
  if (!e || !e.source.path) return '';
  const rows = e.files.map((f) => [
    `\`${cell(f.path)}\``,
    f.owners.length ? cell(f.owners.join(', ')) : 'no owner',
    f.line === null ? '—' : `${f.line}: \`${cell(f.pattern ?? '')}\``,
    f.owners.length === 0 ? '—' : f.approvedBy.length ? cell(f.approvedBy.map((l) => `@${l}`).join(', ')) : '⏳ awaiting an owner',
  ]);
  return details(
    `Code owners (${e.source.path} at \`${shortSha(e.source.commitSha)}\` of ${cell(e.source.ref)}, blob \`${shortSha(e.source.blobSha)}\`)`,
    limited(table(['File', 'Owners', 'Line', 'Approved by'], rows.slice(0, MAX_ROWS)), rows.length),
  );
}

function peopleSection(e: SeparationOfDutiesEvidence | undefined): string {
  if (!e) return '';
  const rows = e.contributors.map((c) => [`@${cell(c.login)}`, cell(describeContributor(c).join('; '))]);
  const unattributed = e.unattributedCommits.length
    ? `\n\nUnattributed: ${e.unattributedCommits
        .slice(0, MAX_ROWS)
        .map((u) => `\`${u.sha}\` ${u.role.replace('_', '-')} ${cell(`${u.name ?? ''} <${u.email ?? 'no email'}>`)}${u.why === 'github_name_unsigned' ? " (GitHub's name, not signed by GitHub; no push of it received)" : ' (not linked to a GitHub account)'}`)
        .join('; ')}.`
    : '';
  const unverified = e.unverifiedCommits?.length
    ? `\n\nWithout a verified signature by its author: ${e.unverifiedCommits.slice(0, MAX_ROWS).map((u) => `\`${u.sha}\` ${cell(u.why)}`).join('; ')}.`
    : '';
  const pushes = e.pushes && !e.pushes.headPushKnown ? '\n\nThe push of the head commit was not received: who pushed it is not known.' : '';
  return details(`Contributors (${e.contributors.length})`, limited(table(['Account', 'Why a contributor'], rows.slice(0, MAX_ROWS)), rows.length) + unattributed + unverified + pushes);
}

function limited(markdown: string, total: number): string {
  return total > MAX_ROWS ? `${markdown}\n\n… and ${total - MAX_ROWS} more (all of them are in the ledger).` : markdown;
}
