import { RULE_POINTS_OF_FOCUS } from '../cc81.js';
import type { RuleContext } from './context.js';
import type { ChangeRequestEvidence, RuleResult } from './verdict.js';

/**
 * Traceability: with `change_request.ticket_pattern`, the title, body or head
 * branch must reference a ticket. A missing reference is something the author
 * must fix, so it is non-compliant rather than pending.
 */
export function checkChangeRequest(ctx: RuleContext): RuleResult<ChangeRequestEvidence> {
  const pattern = ctx.policy.change_request.ticket_pattern;
  const base = { rule: 'change_request' as const, name: 'Change request', pointsOfFocus: RULE_POINTS_OF_FOCUS.change_request };
  if (pattern === null) {
    return {
      ...base,
      status: 'not_applicable',
      required: 'No ticket reference (change_request.ticket_pattern is not set)',
      seen: 'Not checked.',
      short: 'no ticket required',
      toPass: null,
      evidence: { pattern, match: null },
    };
  }
  const re = new RegExp(pattern);
  const fields = [
    ['title', ctx.facts.title],
    ['body', ctx.facts.body],
    ['head branch', ctx.facts.headRef],
  ] as const;
  const required = `A ticket reference matching /${pattern}/ in the title, body or head branch`;
  for (const [field, text] of fields) {
    const m = re.exec(text ?? '');
    if (m) {
      return {
        ...base,
        status: 'pass',
        required,
        seen: `Found "${m[0]}" in the ${field}.`,
        short: `ticket ${m[0]}`,
        toPass: null,
        evidence: { pattern, match: { field, text: m[0] } },
      };
    }
  }
  return {
    ...base,
    status: 'fail',
    required,
    seen: `No match for /${pattern}/ in the title, body or head branch "${ctx.facts.headRef}".`,
    short: 'no ticket reference',
    toPass: `add the ticket reference (matching /${pattern}/) to the title or description`,
    evidence: { pattern, match: null },
  };
}
