import type { PathRule } from '../../config/policy.schema.js';
import { listOf, plural } from '../format.js';
import { describeApprovers, isApprover, judgeApprovers, parseApprover, teamsSeen, touchedPaths } from './approvers.js';
import type { RuleContext } from './context.js';
import { matchesPath } from './path-pattern.js';
import { ruleResult } from './rule-result.js';
import type { PathRuleEvidence, ReviewerStanding, RuleResult } from './verdict.js';

/** Matched files listed in words before "and N more"; the evidence keeps all. */
const MAX_NAMED = 10;

/**
 * `peer_review.rules`: for a change touching any of a rule's paths (a changed
 * file, or the old path of a renamed one), `approvals` qualifying approvals
 * from the rule's `from` (teams and logins; empty = any qualifying reviewer).
 * A qualifying approval is one that counts for peer review — so an approver
 * who is also a contributor, who approved an older commit or who cannot push
 * never counts, whatever team they are in. Short of it: pending while open,
 * failed at merge. One result per rule.
 */
export function checkPathRules(ctx: RuleContext, standings: ReviewerStanding[]): RuleResult<PathRuleEvidence>[] {
  const paths = touchedPaths(ctx.facts.changedFiles ?? []);
  return (ctx.policy.peer_review.rules ?? []).map((rule) => checkPathRule(ctx, rule, paths, standings));
}

function checkPathRule(ctx: RuleContext, rule: PathRule, paths: string[], standings: ReviewerStanding[]): RuleResult<PathRuleEvidence> {
  const matchedFiles = paths.filter((p) => rule.paths.some((pattern) => matchesPath(pattern, p)));
  const approvers = rule.from.map(parseApprover);
  const teams = approvers.flatMap((a) => (a.kind === 'team' ? [a.team] : []));
  const judged = judgeApprovers(
    standings,
    (login) => (approvers.length === 0 ? 'a qualifying reviewer' : (rule.from.find((entry, i) => isApprover(ctx.facts, approvers[i]!, login)) ?? null)),
    `in ${listOf(rule.from, 'or')}`,
  );
  const counted = judged.filter((a) => a.counts).length;
  const evidence: PathRuleEvidence = {
    name: rule.name,
    paths: rule.paths,
    approvals: rule.approvals,
    from: rule.from,
    matchedFiles,
    counted,
    approvers: judged,
    teams: teamsSeen(ctx.facts, teams),
  };
  const who = rule.from.length ? `from ${listOf(rule.from, 'or')}` : 'from any qualifying reviewer';
  const head = {
    rule: 'path_rule' as const,
    name: `Path rule: ${rule.name}`,
    required: `For changes to ${listOf(rule.paths.map((p) => `\`${p}\``), 'or')}: ${plural(rule.approvals, 'qualifying approval')} ${who}`,
    evidence,
  };
  if (!matchedFiles.length) {
    return ruleResult(head, { status: 'not_applicable', seen: 'No changed file matches.', short: `${rule.name}: not touched`, toPass: null });
  }
  const files = `Changed: ${listOf([...matchedFiles.slice(0, MAX_NAMED).map((p) => `\`${p}\``), ...(matchedFiles.length > MAX_NAMED ? [`${matchedFiles.length - MAX_NAMED} more`] : [])])}.`;
  const teamNote = evidence.teams.length ? ` Teams as read: ${evidence.teams.map((t) => `@${t.team} (${plural(t.members.length, 'member')} read at ${t.readAt})`).join('; ')}.` : '';
  const seen = `${files} ${describeApprovers(judged)}${teamNote}`;
  if (counted >= rule.approvals) {
    return ruleResult(head, { status: 'pass', seen, short: `${rule.name}: approved`, toPass: null });
  }
  const missing = rule.approvals - counted;
  const open = ctx.stage === 'open';
  return ruleResult(head, {
    status: open ? 'pending' : 'fail',
    seen,
    short: `${rule.name}: ${counted} of ${plural(rule.approvals, 'approval')}`,
    toPass: open
      ? `${plural(missing, 'more qualifying approval')} ${who} (on the head commit, by someone who is not a contributor)`
      : 'the change was merged without it; record a retrospective review or an exception',
  });
}
