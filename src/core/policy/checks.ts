import { CHECK_RUN_NAME } from '../constants.js';
import type { CheckConclusion, CheckFacts } from '../facts.js';
import { listOf, plural, shortSha } from '../format.js';
import { matchesCheckName } from '../glob.js';
import type { RuleContext } from './context.js';
import { perPolicy } from './memo.js';
import { ruleResult } from './rule-result.js';
import type { CheckResult, CheckSeen, ChecksEvidence, RuleResult } from './verdict.js';

const PASSING: ReadonlySet<CheckConclusion> = new Set(['success', 'neutral', 'skipped']);

/** How one check's latest result reads: passing, failing, or still running. */
export function classifyCheck(check: CheckFacts): CheckResult {
  if (check.status !== 'completed') return 'pending';
  return check.conclusion && PASSING.has(check.conclusion) ? 'passing' : 'failing';
}

/**
 * Checks on the head commit: the latest check run per name and the latest
 * status per context, Changeproof's own excluded. Any failure fails; anything
 * still running, a required check not yet reported, or fewer than
 * `min_passing` passing checks is pending while open and fails at merge.
 */
export function checkChecks(ctx: RuleContext): RuleResult<ChecksEvidence> {
  const { required: patterns, min_passing: minPassing } = ctx.policy.checks;
  const { latest, ignored } = latestChecks(ctx.facts.checks);
  const considered: CheckSeen[] = [];
  for (const check of latest) {
    const requiredBy = patterns.filter((p) => matchesCheckName(p, check.name));
    if (patterns.length && !requiredBy.length) {
      ignored.push({ name: check.name, source: check.source, why: 'not listed in checks.required' });
      continue;
    }
    const { name, source, status, conclusion, at, url, reporter } = check;
    considered.push({ name, source, status, conclusion, at, url, reporter, result: classifyCheck(check), requiredBy });
  }
  const missingRequired = patterns.filter((p) => !considered.some((c) => c.requiredBy.includes(p)));
  const failing = considered.filter((c) => c.result === 'failing');
  const running = considered.filter((c) => c.result === 'pending');
  const passing = considered.filter((c) => c.result === 'passing').length;
  const evidence: ChecksEvidence = { headSha: ctx.facts.headSha, considered, ignored, requiredPatterns: patterns, missingRequired, passing, minPassing };
  const head = { rule: 'checks' as const, name: 'Checks', required: describeRequirement(ctx.policy), evidence };
  const seen = describeSeen(ctx.facts.headSha, considered, missingRequired);

  if (failing.length) {
    const names = listOf(failing.map((c) => `\`${c.name}\` (${c.conclusion ?? 'no conclusion'})`));
    return ruleResult(head, { status: 'fail', seen, short: `${failing.length === 1 ? 'check' : 'checks'} ${names} failed`, toPass: `fix ${names} and push, or re-run it if the failure was spurious` });
  }
  const unmet: string[] = [];
  if (running.length) unmet.push(`${listOf(running.map((c) => `\`${c.name}\``))} still ${running.length === 1 ? 'runs' : 'run'}`);
  if (missingRequired.length) unmet.push(`required ${listOf(missingRequired.map((p) => `\`${p}\``))} not reported`);
  if (passing < minPassing) unmet.push(`${passing} of ${plural(minPassing, 'passing check')}`);
  if (!unmet.length) {
    return ruleResult(head, { status: 'pass', seen, short: `${plural(passing, 'check')} passed`, toPass: null });
  }
  if (ctx.stage === 'merge') {
    return ruleResult(head, { status: 'fail', seen, short: `merged while ${unmet[0]}`, toPass: 'the change was merged before its checks passed; record an exception' });
  }
  return ruleResult(head, {
    status: 'pending',
    seen,
    short: unmet[0]!,
    toPass: `wait for the checks to finish${missingRequired.length || passing < minPassing ? '; make sure the required checks run on this commit' : ''}`,
  });
}

/** The latest run of each check name and status context; everything set aside says why. */
export function latestChecks(checks: CheckFacts[]): { latest: CheckFacts[]; ignored: ChecksEvidence['ignored'] } {
  const ignored: ChecksEvidence['ignored'] = [];
  const latest = new Map<string, CheckFacts>();
  for (const check of checks) {
    if (check.source === 'check_run' && check.name === CHECK_RUN_NAME) {
      ignored.push({ name: check.name, source: check.source, why: "Changeproof's own check" });
      continue;
    }
    const key = (check.source === 'status' ? 's:' : 'c:') + check.name;
    const prior = latest.get(key);
    if (!prior) latest.set(key, check);
    else if (isNewer(check, prior)) {
      latest.set(key, check);
      ignored.push({ name: prior.name, source: prior.source, why: 'superseded by a later run' });
    } else ignored.push({ name: check.name, source: check.source, why: 'superseded by a later run' });
  }
  return { latest: [...latest.values()], ignored };
}

/** Check runs: GitHub allocates ids in increasing order. Statuses: by time. */
function isNewer(a: CheckFacts, b: CheckFacts): boolean {
  if (a.databaseId !== null && b.databaseId !== null) return a.databaseId > b.databaseId;
  const ta = a.at ? Date.parse(a.at) : 0;
  const tb = b.at ? Date.parse(b.at) : 0;
  return ta >= tb;
}

const describeRequirement = perPolicy(({ checks: { required: patterns, min_passing: minPassing } }) => {
  const which = patterns.length ? `Required checks ${listOf(patterns.map((p) => `\`${p}\``))} present and passing` : 'Every check on the head commit passing';
  return `${which}; at least ${plural(minPassing, 'passing check')}`;
});

function describeSeen(headSha: string, considered: CheckSeen[], missing: string[]): string {
  if (!considered.length && !missing.length) return `No checks reported on ${shortSha(headSha)}.`;
  const list = considered.map((c) => `\`${c.name}\` ${c.conclusion ?? c.status}${c.at ? ` at ${c.at}` : ''}`).join('; ');
  const missingText = missing.length ? `${list ? '; ' : ''}not reported: ${missing.map((p) => `\`${p}\``).join(', ')}` : '';
  return `On ${shortSha(headSha)}: ${list}${missingText}.`;
}
