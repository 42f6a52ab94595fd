import { at, listOf, plural, shortSha } from '../format.js';
import { describePerson, sameLogin } from '../people.js';
import type { RuleContext } from './context.js';
import { perPolicy } from './memo.js';
import { ruleResult } from './rule-result.js';
import type { ReviewerStanding, RuleResult, SeparationOfDutiesEvidence, UnattributedCommit, UnverifiedCommit } from './verdict.js';

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
  const unattributed = ctx.unattributed;
  const unverified = sod.require_verified_signatures ? findUnverifiedCommits(ctx) : NONE;
  const excludedApprovals = standings
    .filter((s) => s.state === 'APPROVED')
    .flatMap((s) => {
      const reason = s.notCountedBecause.find((r) => r.code === 'author' || r.code === 'contributor');
      return reason ? [{ login: s.login, reason: reason.detail }] : [];
    });
  const mergedBy = facts.merge?.mergedBy?.login ?? null;
  const merger = facts.merge ? { login: mergedBy, sameAsAuthor: sameLogin(mergedBy, facts.author?.login) } : null;
  const pushes = facts.pushes ?? [];
  let unknownPushers = 0;
  let headPushKnown = false;
  let headPushReceived = false;
  for (const p of pushes) {
    if (p.after === facts.headSha) headPushReceived = true;
    if (!p.pusher) unknownPushers += 1;
    else if (p.after === facts.headSha) headPushKnown = true;
  }
  // The app has seen pushes to this pull request's head branch, but not the one that
  // made its head: GitHub's notice of it (synchronize) is still on its way, or was lost.
  // Until it is in, whoever pushed the head may be among the approvers.
  const headPushAwaited = pushes.length > 0 && !headPushReceived;
  const evidence: SeparationOfDutiesEvidence = {
    author: facts.author?.login ?? null,
    contributors: ctx.contributors,
    unattributedCommits: unattributed,
    requireVerifiedSignatures: sod.require_verified_signatures,
    unverifiedCommits: unverified,
    pushes: { recorded: pushes.length, unknownPushers, headPushKnown },
    excludedApprovals,
    merger,
  };

  const problems: string[] = [];
  const fixes: string[] = [];
  if (!facts.author) {
    problems.push('cannot show who opened the pull request (the account was deleted)');
    fixes.push('record the author through an exception');
  }
  if (unattributed.length && !sod.allow_unattributed_commits) {
    problems.push(`cannot show who wrote ${describeUnattributed(unattributed)}`);
    fixes.push(unattributed.some((u) => u.why === 'github_name_unsigned')
      ? 'a commit in GitHub\'s name must be one GitHub made and signed; amend the commits with your own linked email and push again'
      : 'link the commit email to a GitHub account (or amend the commits with a linked email) and push again');
  }
  if (unverified.length) {
    problems.push(describeUnverified(unverified));
    fixes.push('sign the commits with a key registered on the author\'s GitHub account (GitHub shows them as Verified) and push again');
  }
  if (sod.merger_must_differ_from_author && stage === 'merge' && (merger?.sameAsAuthor || !mergedBy)) {
    problems.push(mergedBy ? `merged by its author ${at(mergedBy)}` : 'cannot show who merged it');
    fixes.push('merges must be done by someone other than the author');
  }

  if (headPushAwaited && stage === 'merge') {
    problems.push(`cannot show who pushed head ${shortSha(facts.headSha)}: GitHub's notice of that push was not received`);
    fixes.push('a change must be merged only once its last push has been received');
  }

  const head = { rule: 'separation_of_duties' as const, name: 'Separation of duties', required: describeRequirement(ctx.policy), evidence };
  const seen = describeSeen(ctx, evidence);
  if (problems.length) {
    return ruleResult(head, { status: 'fail', seen, short: problems[0]!, toPass: listOf(fixes, 'and') });
  }
  if (headPushAwaited) {
    return ruleResult(head, {
      status: 'pending', seen,
      short: `waiting for GitHub's notice of the push of head ${shortSha(facts.headSha)}`,
      toPass: 'wait for GitHub to deliver the push (who pushed it may be an approver); if it never arrives, redeliver it from the app\'s settings or push again',
    });
  }
  return ruleResult(head, { status: 'pass', seen, short: 'duties separated', toPass: null });
}

/**
 * `require_verified_signatures`: every commit signed with a signature GitHub
 * verified, made by the commit's own linked author — or by GitHub itself for
 * the commits it makes (web edits, merges, squashes).
 */
function findUnverifiedCommits(ctx: RuleContext): UnverifiedCommit[] {
  const out: UnverifiedCommit[] = [];
  for (const commit of ctx.facts.commits) {
    const sig = commit.signature;
    const author = commit.authors[0]?.user?.login ?? null;
    let why: string | null = null;
    if (!sig || sig.state === 'UNSIGNED') why = 'is not signed';
    else if (!sig.isValid) why = `has a signature GitHub could not verify (${sig.state})`;
    else if (sig.wasSignedByGitHub) why = null;
    else if (!author) why = 'has an author linked to no GitHub account, so its signer cannot be matched to it';
    else if (!sameLogin(sig.signer, author)) why = `is signed by ${sig.signer ? at(sig.signer) : 'an account GitHub does not name'}, not by its author ${at(author)}`;
    if (why) out.push({ sha: commit.sha, why });
  }
  return out;
}

function describeUnverified(list: UnverifiedCommit[]): string {
  const first = list.slice(0, 3).map((u) => `commit ${shortSha(u.sha)} ${u.why}`);
  return list.length > 3 ? `${first.join(', ')} and ${list.length - 3} more` : listOf(first);
}

function describeUnattributed(list: UnattributedCommit[]): string {
  const first = list.slice(0, 3).map((u) => `commit ${shortSha(u.sha)} (${ROLE_WORDS[u.role]} ${describePerson(u)} ${u.why === 'github_name_unsigned' ? "is GitHub's name on a commit GitHub did not sign, and no push of it was received" : 'is not linked to a GitHub account'})`);
  return list.length > 3 ? `${first.join(', ')} and ${list.length - 3} more` : listOf(first);
}

const NONE = Object.freeze([]) as unknown as UnverifiedCommit[];

const ROLE_WORDS: Record<UnattributedCommit['role'], string> = { author: 'author', co_author: 'co-author', committer: 'committer' };

const describeRequirement = perPolicy((policy) => {
  const sod = policy.separation_of_duties;
  const parts = [
    sod.author_can_approve ? 'the author may approve' : 'approvers other than the author',
    sod.contributors_can_approve ? 'contributors may approve' : 'approvers who wrote, committed, signed or pushed no commit of the change',
    sod.allow_unattributed_commits ? 'unattributed commits allowed' : 'every commit author linked to a GitHub account',
  ];
  if (sod.require_verified_signatures) parts.push('every commit signed with a signature GitHub verified, by its author');
  if (sod.merger_must_differ_from_author) parts.push('merged by someone other than the author');
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
});

function describeSeen(ctx: RuleContext, e: SeparationOfDutiesEvidence): string {
  const parts = [
    `Author ${at(e.author)}`,
    `contributors ${listOf(e.contributors.map((c) => at(c.login))) || 'none'}`,
    `${plural(ctx.facts.commits.length, 'commit')}, ${e.unattributedCommits.length ? `${plural(new Set(e.unattributedCommits.map((u) => u.sha)).size, 'commit')} unattributed` : 'all attributed'}`,
  ];
  if (e.pushes && !e.pushes.headPushKnown) parts.push(`the push of head ${shortSha(ctx.facts.headSha)} was not received, so who pushed it is not known`);
  if (e.pushes?.unknownPushers) parts.push(`${plural(e.pushes.unknownPushers, 'push')} by an account GitHub no longer names`);
  if (e.unverifiedCommits?.length) parts.push(`${plural(e.unverifiedCommits.length, 'commit')} without a verified signature by its author`);
  if (e.excludedApprovals.length) parts.push(`approvals set aside: ${e.excludedApprovals.map((x) => `${at(x.login)} ${x.reason}`).join('; ')}`);
  if (e.merger) parts.push(`merged by ${at(e.merger.login)}`);
  return `${parts.join('; ')}.`;
}
