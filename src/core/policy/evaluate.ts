import type { Policy } from '../../config/policy.schema.js';
import { ENGINE_VERSION } from '../constants.js';
import type { ChangeFacts } from '../facts.js';
import { isoSeconds } from '../format.js';
import { checkChangeRequest } from './change-request.js';
import { checkChangesRequested } from './changes-requested.js';
import { checkChecks } from './checks.js';
import { buildContext } from './context.js';
import { checkEmergency, isEmergency } from './emergency.js';
import { checkCodeOwners } from './code-owners.js';
import { missingEvidence } from './needed-evidence.js';
import { checkPathRules } from './path-rules.js';
import { checkPeerReview } from './peer-review.js';
import { reviewerStandings } from './reviews.js';
import { checkScope } from './scope.js';
import { checkSeparationOfDuties } from './separation-of-duties.js';
import { evidenceGapVerdict, subjectOf } from './special-verdicts.js';
import type { Outcome, RuleResult, Verdict } from './verdict.js';

/**
 * Decides whether a pull request satisfies the CC8.1 policy (SPEC §2.1).
 * Pure and total: it never reads the clock or the network and never throws
 * for a policy outcome; everything it decides, it explains in the verdict.
 * A merged pull request is judged "at merge": nothing is pending any more.
 *
 * @example
 * const verdict = evaluate(defaultPolicy(), facts, new Date('2026-03-04T10:00:00Z'));
 * verdict.outcome; // 'compliant' | 'non_compliant' | 'pending' | 'emergency' | 'error'
 */
export function evaluate(policy: Policy, facts: ChangeFacts, now: Date): Verdict {
  if (facts.gaps.length) return evidenceGapVerdict(facts, now);
  const missing = missingEvidence(policy, facts);
  if (missing.length) return evidenceGapVerdict({ ...facts, gaps: missing }, now);
  const ctx = buildContext(policy, facts);
  const scope = checkScope(ctx);
  const standings = reviewerStandings(ctx);
  const codeOwners = checkCodeOwners(ctx, standings);
  const rules: RuleResult[] = [
    checkPeerReview(ctx, standings),
    ...checkPathRules(ctx, standings),
    ...(codeOwners ? [codeOwners] : []),
    checkChangesRequested(ctx, standings),
    checkSeparationOfDuties(ctx, standings),
    checkChecks(ctx),
    checkChangeRequest(ctx),
  ];
  const labelled = isEmergency(ctx);
  const emergency = checkEmergency(ctx);
  return {
    outcome: decideOutcome(rules, labelled),
    enforced: scope.inScope,
    notEnforcedReason: scope.reason,
    stage: ctx.stage,
    evaluatedAt: isoSeconds(now),
    subject: subjectOf(facts),
    rules: [scope.result, ...rules, emergency],
    emergency: labelled ? { label: policy.emergency.label, hours: policy.emergency.retrospective_approval_hours, deadline: emergency.evidence.deadline } : null,
    error: null,
    engineVersion: ENGINE_VERSION,
  };
}

/** The rules that ask for approvals: an emergency change may lack any of them until its retrospective review. */
const REVIEW_RULES = new Set<string>(['peer_review', 'path_rule', 'code_owners']);

/**
 * Any failing rule makes the change non-compliant, whatever else is pending.
 * With the emergency label, a change whose only unmet requirement is peer
 * review is an emergency change; failing checks and requested changes still fail.
 */
export function decideOutcome(rules: RuleResult[], emergencyLabel: boolean): Outcome {
  const unmet = rules.filter((r) => r.status === 'fail' || r.status === 'pending');
  if (!unmet.length) return 'compliant';
  if (emergencyLabel && unmet.every((r) => REVIEW_RULES.has(r.rule))) return 'emergency';
  return unmet.some((r) => r.status === 'fail') ? 'non_compliant' : 'pending';
}
