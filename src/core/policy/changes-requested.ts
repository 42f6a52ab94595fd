import { at, listOf, shortSha } from '../format.js';
import type { RuleContext } from './context.js';
import { ruleResult } from './rule-result.js';
import type { ChangesRequestedEvidence, ReviewerStanding, RuleResult } from './verdict.js';

/**
 * Any reviewer whose latest decisive review is CHANGES_REQUESTED blocks the
 * change while `block_on_changes_requested`: someone must act (address the
 * request and get a new review, or have the review dismissed), so it is
 * non-compliant, not pending.
 */
export function checkChangesRequested(ctx: RuleContext, standings: ReviewerStanding[]): RuleResult<ChangesRequestedEvidence> {
  const enabled = ctx.policy.peer_review.block_on_changes_requested;
  const blocking = standings
    .filter((s) => s.state === 'CHANGES_REQUESTED' && !s.notCountedBecause.some((r) => r.code === 'after_merge'))
    .map((s) => ({ login: s.login, submittedAt: s.submittedAt, commitSha: s.commitSha, url: s.url }));
  const evidence: ChangesRequestedEvidence = { enabled, blocking };
  const seen = blocking.length
    ? `Changes requested by ${blocking.map((b) => `${at(b.login)} on ${shortSha(b.commitSha)} at ${b.submittedAt}`).join('; ')}.`
    : 'No outstanding request for changes.';
  const head = { rule: 'changes_requested' as const, name: 'Changes requested', required: 'No reviewer whose latest review requests changes', evidence };
  if (!enabled) {
    return ruleResult(head, { status: 'not_applicable', required: 'Nothing (peer_review.block_on_changes_requested is false)', seen, short: 'not blocking', toPass: null });
  }
  if (!blocking.length) return ruleResult(head, { status: 'pass', seen, short: 'no changes requested', toPass: null });
  const who = listOf(blocking.map((b) => at(b.login)));
  return ruleResult(head, {
    status: 'fail',
    seen,
    short: `changes requested by ${who}`,
    toPass: `address the requested changes and ask ${who} to approve (or have the review dismissed, which is recorded)`,
  });
}
