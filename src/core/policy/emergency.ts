import type { IsoTime } from '../facts.js';
import { addHours, at } from '../format.js';
import type { RuleContext } from './context.js';
import { checkCodeOwners } from './code-owners.js';
import { missingEvidence, policyNeeds } from './needed-evidence.js';
import { checkPathRules } from './path-rules.js';
import { reviewerStandings } from './reviews.js';
import { ruleResult } from './rule-result.js';
import type { EmergencyEvidence, ReviewerStanding, RuleResult } from './verdict.js';

/**
 * Whether the change carries the emergency label (labels compare
 * case-insensitively, as GitHub's do). Judged at merge, whether it carried it
 * when it merged: a label added after the merge does not make a merge past
 * review an emergency change. The label's last event (GitHub's timeline) up
 * to the merge decides; without events for it, the labels as read.
 */
export function isEmergency(ctx: RuleContext): boolean {
  const label = ctx.policy.emergency.label.toLowerCase();
  const now = ctx.facts.labels.some((l) => l.toLowerCase() === label);
  const events = ctx.facts.labelEvents?.filter((e) => e.label.toLowerCase() === label);
  if (ctx.stage !== 'merge' || !ctx.facts.merge || !events?.length) return now;
  const mergedAt = Date.parse(ctx.facts.merge.mergedAt);
  const before = events.filter((e) => Date.parse(e.at) <= mergedAt).at(-1);
  return before?.action === 'labeled';
}

/**
 * The emergency path (CC8.1 point of focus 13): a labelled change may be
 * merged without review, provided a qualifying approval follows within
 * `retrospective_approval_hours` of the merge. This row only reports the
 * label and the deadline; `evaluate` decides the `emergency` outcome.
 */
export function checkEmergency(ctx: RuleContext): RuleResult<EmergencyEvidence> {
  const { label, retrospective_approval_hours: hours } = ctx.policy.emergency;
  const labelled = isEmergency(ctx);
  const deadline = ctx.facts.merge ? addHours(ctx.facts.merge.mergedAt, hours) : null;
  const evidence: EmergencyEvidence = { label, labelled, hours, deadline };
  const head = {
    rule: 'emergency' as const,
    name: 'Emergency path',
    required: `With the \`${label}\` label, a qualifying approval within ${hours} h after merge`,
    evidence,
  };
  if (!labelled) {
    const late = ctx.facts.merge ? ctx.facts.labelEvents?.filter((e) => e.label.toLowerCase() === label.toLowerCase() && e.action === 'labeled' && Date.parse(e.at) > Date.parse(ctx.facts.merge!.mergedAt)).at(-1) : undefined;
    const seen = late ? `Labelled \`${label}\` at ${late.at}${late.actor ? ` by @${late.actor}` : ''}, after the merge at ${ctx.facts.merge!.mergedAt}: a label added after the merge does not make it an emergency change.` : `No \`${label}\` label.`;
    return ruleResult(head, { status: 'not_applicable', seen, short: 'not an emergency', toPass: null });
  }
  return ruleResult(head, {
    status: 'pass',
    seen: deadline ? `Labelled \`${label}\`; merged at ${ctx.facts.merge!.mergedAt}; retrospective approval due by ${deadline}.` : `Labelled \`${label}\`; a missing review may be given within ${hours} h after merge.`,
    short: deadline ? `retrospective approval due by ${deadline}` : `approval due within ${hours} h of merge`,
    toPass: null,
  });
}

export type RetrospectiveStatus = 'resolved' | 'resolved_late' | 'open';

export interface RetrospectiveApproval {
  status: RetrospectiveStatus;
  deadline: IsoTime;
  /** The first qualifying approval given after the merge, if any. */
  approval: ReviewerStanding | null;
  /** Why the exception stands or how it was resolved, in words. */
  explanation: string;
}

/**
 * For an emergency change merged without review: has a qualifying approval
 * (same rules as peer review, on any commit of the pull request) arrived after
 * the merge? Within the deadline it resolves the exception; after it, it
 * resolves it as late; none leaves it open. With path rules or code owners,
 * the approvals since the merge must satisfy those too: the change is
 * resolved by the approval that completes them.
 */
export function findRetrospectiveApproval(ctx: RuleContext): RetrospectiveApproval {
  const merge = ctx.facts.merge;
  if (!merge) throw new Error('findRetrospectiveApproval needs a merged pull request');
  const deadline = addHours(merge.mergedAt, ctx.policy.emergency.retrospective_approval_hours);
  const mergedAt = Date.parse(merge.mergedAt);
  const since = reviewerStandings(ctx, { commits: 'any' })
    .filter((s) => s.counts && s.submittedAt !== null && Date.parse(s.submittedAt) > mergedAt)
    .sort((a, b) => Date.parse(a.submittedAt!) - Date.parse(b.submittedAt!));
  const needs = policyNeeds(ctx.policy);
  let approval: ReviewerStanding | null = null;
  let unmet: RuleResult[] = [];
  const missing = needs.files ? missingEvidence(ctx.policy, ctx.facts) : [];
  if (!needs.files) approval = since[0] ?? null;
  else if (missing.length) {
    return { status: 'open', deadline, approval: null, explanation: `The approvals since the merge cannot be judged: ${missing.map((g) => g.reason).join('; ')}; due by ${deadline}.` };
  } else {
    for (let i = 0; i < since.length && !approval; i += 1) {
      unmet = unmetApprovalRules(ctx, since.slice(0, i + 1));
      if (!unmet.length) approval = since[i]!;
    }
    if (!since.length) unmet = unmetApprovalRules(ctx, []);
  }
  if (!approval) {
    const short = unmet.length ? `; still needed: ${unmet.map((r) => r.short).join('; ')}` : '';
    return { status: 'open', deadline, approval: null, explanation: `No qualifying approval since the merge at ${merge.mergedAt}${short}; due by ${deadline}.` };
  }
  const late = Date.parse(approval.submittedAt!) > Date.parse(deadline);
  return {
    status: late ? 'resolved_late' : 'resolved',
    deadline,
    approval,
    explanation: `${at(approval.login)} approved at ${approval.submittedAt}, ${late ? 'after' : 'within'} the deadline ${deadline}.`,
  };
}

/** The path rules and code-owner requirement the given approvals leave unmet. */
function unmetApprovalRules(ctx: RuleContext, approvals: ReviewerStanding[]): RuleResult[] {
  const owners = checkCodeOwners(ctx, approvals);
  return [...checkPathRules(ctx, approvals), ...(owners ? [owners] : [])].filter((r) => r.status !== 'pass' && r.status !== 'not_applicable');
}
