import { at, listOf, plural, shortSha } from '../format.js';
import type { RuleContext } from './context.js';
import { perPolicy } from './memo.js';
import { ruleResult } from './rule-result.js';
import type { PeerReviewEvidence, ReviewerStanding, RuleResult } from './verdict.js';

/**
 * Peer review: at least `required_approvals` approvals that count (see
 * `reviewerStandings`). Short of that, the change is pending while open —
 * ordinary progress can still meet it — and fails at merge.
 */
export function checkPeerReview(ctx: RuleContext, standings: ReviewerStanding[]): RuleResult<PeerReviewEvidence> {
  const { peer_review: pr } = ctx.policy;
  const required = pr.required_approvals;
  const counted = standings.filter((s) => s.counts);
  const uncounted = standings.filter((s) => s.state === 'APPROVED' && !s.counts);
  const evidence: PeerReviewEvidence = { requiredApprovals: required, counted: counted.length, reviewers: standings };
  const head = { rule: 'peer_review' as const, name: 'Peer review', required: describeRequirement(ctx.policy), evidence };
  const seen = describeSeen(counted, uncounted);
  if (required === 0) {
    return ruleResult(head, { status: 'not_applicable', seen, short: 'no approval required', toPass: null });
  }
  if (counted.length >= required) {
    return ruleResult(head, { status: 'pass', seen, short: `approved by ${listOf(counted.map((s) => at(s.login)))}`, toPass: null });
  }
  const missing = required - counted.length;
  const stale = uncounted.filter((s) => s.notCountedBecause.length === 1 && s.notCountedBecause[0]!.code === 'stale');
  const toPass = [
    `${plural(missing, 'more approval')} ${reviewerQualities(ctx.policy)}`,
    stale.length ? `(${listOf(stale.map((s) => at(s.login)))} can re-approve the head commit ${shortSha(ctx.facts.headSha)})` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return ruleResult(head, {
    status: ctx.stage === 'open' ? 'pending' : 'fail',
    seen,
    short: ctx.stage === 'open' ? `${counted.length} of ${plural(required, 'approval')}` : `merged with ${counted.length} of ${plural(required, 'approval')}`,
    toPass: ctx.stage === 'open' ? toPass : `the change was merged without it; record a retrospective review or an exception`,
  });
}

const describeRequirement = perPolicy((policy) => {
  const required = policy.peer_review.required_approvals;
  if (required === 0) return 'No approval (peer_review.required_approvals is 0)';
  return `${plural(required, 'approval')} ${reviewerQualities(policy)}`;
});

/** "on the head commit from a reviewer with write access who is not the author, a contributor or a bot" */
const reviewerQualities = perPolicy((policy) => {
  const { peer_review: pr, separation_of_duties: sod } = policy;
  const not = [
    sod.author_can_approve ? null : 'the author',
    sod.contributors_can_approve ? null : 'a contributor (who wrote, committed, signed or pushed any of its commits)',
    pr.count_bot_approvals ? null : 'a bot',
  ].filter((x): x is string => x !== null);
  return [
    pr.approval_on_head ? 'on the head commit' : 'on any commit',
    `from a reviewer${pr.require_write_access ? ' with write access' : ''}`,
    not.length ? `who is not ${listOf(not, 'or')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
});

function describeSeen(counted: ReviewerStanding[], uncounted: ReviewerStanding[]): string {
  const parts: string[] = [];
  parts.push(
    counted.length
      ? `Counted: ${counted.map((s) => `${at(s.login)} approved ${shortSha(s.commitSha)} at ${s.submittedAt}`).join('; ')}`
      : 'No approval counts',
  );
  if (uncounted.length) {
    parts.push(`Not counted: ${uncounted.map((s) => `${at(s.login)} (${s.notCountedBecause.map((r) => r.detail).join('; ')})`).join('; ')}`);
  }
  return `${parts.join('. ')}.`;
}
