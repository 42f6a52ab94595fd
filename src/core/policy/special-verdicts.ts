import type { PolicyProblem } from '../../config/parse-policy.js';
import { RULE_POINTS_OF_FOCUS } from '../cc81.js';
import { ENGINE_VERSION } from '../constants.js';
import type { ChangeFacts } from '../facts.js';
import { isoSeconds } from '../format.js';
import type { ScopeEvidence, Verdict, VerdictSubject } from './verdict.js';

/** The identifying part of a verdict, taken from the facts. */
export function subjectOf(facts: ChangeFacts): VerdictSubject {
  return {
    repository: `${facts.repository.owner}/${facts.repository.name}`,
    number: facts.number,
    url: facts.url,
    headSha: facts.headSha,
    baseRef: facts.baseRef,
    author: facts.author?.login ?? null,
    mergeCommitSha: facts.merge?.mergeCommitSha ?? null,
    mergedAt: facts.merge?.mergedAt ?? null,
    mergedBy: facts.merge?.mergedBy?.login ?? null,
  };
}

/**
 * The verdict when the evidence could not be gathered at all (GitHub errors,
 * a partial GraphQL answer): `error`, never a pass, with the cause.
 *
 * @example errorVerdict({ ...subject }, 'GitHub answered 502 three times', 'open', now)
 */
export function errorVerdict(subject: VerdictSubject, reason: string, stage: Verdict['stage'], now: Date, fix?: string): Verdict {
  return {
    outcome: 'error',
    enforced: true,
    notEnforcedReason: null,
    stage,
    evaluatedAt: isoSeconds(now),
    subject,
    rules: [
      {
        rule: 'evidence',
        name: 'Evidence',
        status: 'fail',
        required: 'The complete evidence of the change (commits, reviews, checks) read from GitHub',
        seen: `Could not be established: ${reason}`,
        short: reason,
        toPass: fix ?? 'Re-run this check; if it keeps failing, check the app\'s access and GitHub\'s status',
        evidence: { reason },
        pointsOfFocus: RULE_POINTS_OF_FOCUS.evidence,
      },
    ],
    emergency: null,
    error: reason,
    engineVersion: ENGINE_VERSION,
  };
}

/** `error` because GitHub would not list part of the evidence: never judged on part of it. */
export function evidenceGapVerdict(facts: ChangeFacts, now: Date): Verdict {
  const reason = facts.gaps.map((g) => `${g.what}: ${g.reason}`).join('; ');
  const fixes = [...new Set(facts.gaps.flatMap((g) => (g.fix ? [g.fix] : [])))];
  const fix = fixes.length ? `${fixes.join('; ')} — then re-run this check` : undefined;
  return errorVerdict(subjectOf(facts), `incomplete evidence (${reason})`, facts.merge ? 'merge' : 'open', now, fix);
}

/**
 * An invalid policy file is something someone must fix: the change is
 * non-compliant and the verdict names the file, line and key at fault.
 */
export function policyErrorVerdict(facts: ChangeFacts, problems: PolicyProblem[], now: Date): Verdict {
  const first = problems[0];
  const where = (p: PolicyProblem) => `${p.file}${p.line === null ? '' : `:${p.line}`}`;
  return {
    outcome: 'non_compliant',
    enforced: true,
    notEnforcedReason: null,
    stage: facts.merge ? 'merge' : 'open',
    evaluatedAt: isoSeconds(now),
    subject: subjectOf(facts),
    rules: [
      {
        rule: 'policy',
        name: 'Policy file',
        status: 'fail',
        required: 'A valid policy file on the default branch',
        seen: problems.map((p) => `${where(p)}${p.key ? ` \`${p.key}\`` : ''}: ${p.message}`).join('; '),
        short: first ? `invalid policy file ${where(first)}` : 'invalid policy file',
        toPass: problems.map((p) => p.hint).filter((h, i, all) => all.indexOf(h) === i).join('; ') + ' — then commit the fix to the default branch',
        evidence: { problems },
        pointsOfFocus: RULE_POINTS_OF_FOCUS.policy,
      },
    ],
    emergency: null,
    error: null,
    engineVersion: ENGINE_VERSION,
  };
}

/** True when the change targets a base branch outside `scope.branches` (as opposed to an ignored author). */
export function targetsOutOfScopeBranch(verdict: Verdict): boolean {
  const scope = verdict.rules.find((r) => r.rule === 'scope');
  return scope !== undefined && (scope.evidence as ScopeEvidence).matchedPattern === null;
}
