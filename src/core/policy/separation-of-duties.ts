import { at, listOf, plural, shortSha } from '../format.js';
import { describePerson, isWebFlow, sameLogin } from '../people.js';
import type { RuleContext } from './context.js';
import { perPolicy } from './memo.js';
import { ruleResult } from './rule-result.js';
import type { ReviewerStanding, RuleResult, SeparationOfDutiesEvidence, UnattributedCommit } from './verdict.js';

/**
 * Separation of duties: the people who approve must not be the people who
 * wrote the change (enforced by not counting their approvals — see
 * `reviewerStandings`), every commit must be attributable to a GitHub account
 * (otherwise nobody can show who wrote it), and optionally the merger must not
 * be the author.
 */
export function checkSeparationOfDuties(ctx: RuleContext, standings: ReviewerStanding[]): RuleResult<SeparationOfDutiesEvidence> {
  const { policy, facts, stage } = ctx;
  const sod = policy.separation_of_duties;
  const unattributed = findUnattributedCommits(ctx);
  const excludedApprovals = standings
    .filter((s) => s.state === 'APPROVED')
    .flatMap((s) => {
      const reason = s.notCountedBecause.find((r) => r.code === 'author' || r.code === 'contributor');
      return reason ? [{ login: s.login, reason: reason.detail }] : [];
    });
  const mergedBy = facts.merge?.mergedBy?.login ?? null;
  const merger = facts.merge ? { login: mergedBy, sameAsAuthor: sameLogin(mergedBy, facts.author?.login) } : null;
  const evidence: SeparationOfDutiesEvidence = { author: facts.author?.login ?? null, contributors: ctx.contributors, unattributedCommits: unattributed, excludedApprovals, merger };

  const problems: string[] = [];
  const fixes: string[] = [];
  if (!facts.author) {
    problems.push('cannot show who opened the pull request (the account was deleted)');
    fixes.push('record the author through an exception');
  }
  if (unattributed.length && !sod.allow_unattributed_commits) {
    problems.push(`cannot show who wrote ${describeUnattributed(unattributed)}`);
    fixes.push('link the commit email to a GitHub account (or amend the commits with a linked email) and push again');
  }
  if (sod.merger_must_differ_from_author && stage === 'merge' && (merger?.sameAsAuthor || !mergedBy)) {
    problems.push(mergedBy ? `merged by its author ${at(mergedBy)}` : 'cannot show who merged it');
    fixes.push('merges must be done by someone other than the author');
  }

  const head = { rule: 'separation_of_duties' as const, name: 'Separation of duties', required: describeRequirement(ctx.policy), evidence };
  const seen = describeSeen(ctx, evidence);
  if (problems.length) {
    return ruleResult(head, { status: 'fail', seen, short: problems[0]!, toPass: listOf(fixes, 'and') });
  }
  return ruleResult(head, { status: 'pass', seen, short: 'duties separated', toPass: null });
}

function findUnattributedCommits(ctx: RuleContext): UnattributedCommit[] {
  const out: UnattributedCommit[] = [];
  for (const commit of ctx.facts.commits) {
    commit.authors.forEach((person, i) => {
      if (!person.user && !isWebFlow(person)) {
        out.push({ sha: commit.sha, role: i === 0 ? 'author' : 'co_author', name: person.name, email: person.email });
      }
    });
  }
  return out;
}

function describeUnattributed(list: UnattributedCommit[]): string {
  const first = list.slice(0, 3).map((u) => `commit ${shortSha(u.sha)} (${u.role === 'author' ? 'author' : 'co-author'} ${describePerson(u)} is not linked to a GitHub account)`);
  return list.length > 3 ? `${first.join(', ')} and ${list.length - 3} more` : listOf(first);
}

const describeRequirement = perPolicy((policy) => {
  const sod = policy.separation_of_duties;
  const parts = [
    sod.author_can_approve ? 'the author may approve' : 'approvers other than the author',
    sod.contributors_can_approve ? 'contributors may approve' : 'approvers who wrote, co-wrote or committed no commit of the change',
    sod.allow_unattributed_commits ? 'unattributed commits allowed' : 'every commit author linked to a GitHub account',
  ];
  if (sod.merger_must_differ_from_author) parts.push('merged by someone other than the author');
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
});

function describeSeen(ctx: RuleContext, e: SeparationOfDutiesEvidence): string {
  const parts = [
    `Author ${at(e.author)}`,
    `contributors ${listOf(e.contributors.map((c) => at(c.login))) || 'none'}`,
    `${plural(ctx.facts.commits.length, 'commit')}, ${e.unattributedCommits.length ? `${plural(new Set(e.unattributedCommits.map((u) => u.sha)).size, 'commit')} unattributed` : 'all attributed'}`,
  ];
  if (e.excludedApprovals.length) parts.push(`approvals set aside: ${e.excludedApprovals.map((x) => `${at(x.login)} ${x.reason}`).join('; ')}`);
  if (e.merger) parts.push(`merged by ${at(e.merger.login)}`);
  return `${parts.join('; ')}.`;
}
