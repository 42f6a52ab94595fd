import { RULE_POINTS_OF_FOCUS } from '../cc81.js';
import { at, listOf, shortSha } from '../format.js';
import type { RuleContext } from './context.js';
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
    .filter((s) => s.state === 'CHANGES_REQUESTED')
    .map((s) => ({ login: s.login, submittedAt: s.submittedAt, commitSha: s.commitSha, url: s.url }));
  const evidence: ChangesRequestedEvidence = { enabled, blocking };
  const seen = blocking.length
    ? `Changes requested by ${blocking.map((b) => `${at(b.login)} on ${shortSha(b.commitSha)} at ${b.submittedAt}`).join('; ')}.`
    : 'No outstanding request for changes.';
  const base = { rule: 'changes_requested' as const, name: 'Changes requested', evidence, seen, pointsOfFocus: RULE_POINTS_OF_FOCUS.changes_requested };
  if (!enabled) {
    return { ...base, status: 'not_applicable', required: 'Nothing (peer_review.block_on_changes_requested is false)', short: 'not blocking', toPass: null };
  }
  const required = 'No reviewer whose latest review requests changes';
  if (!blocking.length) return { ...base, status: 'pass', required, short: 'no changes requested', toPass: null };
  const who = listOf(blocking.map((b) => at(b.login)));
  return {
    ...base,
    status: 'fail',
    required,
    short: `changes requested by ${who}`,
    toPass: `address the requested changes and ask ${who} to approve (or have the review dismissed, which is recorded)`,
  };
}
