import { compileTicketPattern } from '../ticket-pattern.js';
import type { RuleContext } from './context.js';
import { ruleResult } from './rule-result.js';
import type { ChangeRequestEvidence, RuleResult } from './verdict.js';

/**
 * Traceability: with `change_request.ticket_pattern`, the title, body or head
 * branch must reference a ticket. A missing reference is something the author
 * must fix, so it is non-compliant rather than pending. The pattern is RE2
 * (linear time, see ticket-pattern.ts); one the policy check would have
 * refused fails the rule, saying why, rather than passing or throwing.
 */
export function checkChangeRequest(ctx: RuleContext): RuleResult<ChangeRequestEvidence> {
  const pattern = ctx.policy.change_request.ticket_pattern;
  const head = (required: string, match: ChangeRequestEvidence['match']) => ({ rule: 'change_request' as const, name: 'Change request', required, evidence: { pattern, match } });
  if (pattern === null) {
    return ruleResult(head('No ticket reference (change_request.ticket_pattern is not set)', null), {
      status: 'not_applicable',
      seen: 'Not checked.',
      short: 'no ticket required',
      toPass: null,
    });
  }
  const required = `A ticket reference matching /${pattern}/ in the title, body or head branch`;
  const compiled = compileTicketPattern(pattern);
  if (!compiled.ok) {
    return ruleResult(head(required, null), {
      status: 'fail',
      seen: `The ticket pattern cannot be used: it ${compiled.problem.message}.`,
      short: 'unusable ticket pattern',
      toPass: `fix change_request.ticket_pattern in the policy file (${compiled.problem.hint})`,
    });
  }
  const fields = [
    ['title', ctx.facts.title],
    ['body', ctx.facts.body],
    ['head branch', ctx.facts.headRef],
  ] as const;
  for (const [field, text] of fields) {
    const found = compiled.pattern.find(text ?? '');
    if (found !== null) {
      return ruleResult(head(required, { field, text: found }), { status: 'pass', seen: `Found "${found}" in the ${field}.`, short: `ticket ${found}`, toPass: null });
    }
  }
  return ruleResult(head(required, null), {
    status: 'fail',
    seen: `No match for /${pattern}/ in the title, body or head branch "${ctx.facts.headRef}".`,
    short: 'no ticket reference',
    toPass: `add the ticket reference (matching /${pattern}/) to the title or description`,
  });
}
