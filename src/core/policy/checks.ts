import { CHECK_RUN_NAME } from '../constants.js';
import type { CheckConclusion, CheckFacts } from '../facts.js';
import { listOf, plural, shortSha } from '../format.js';
import { matchesCheckName } from '../glob.js';
import { sameLogin } from '../people.js';
import { isContributor, type RuleContext } from './context.js';
import { perPolicy, perPolicyValue } from './memo.js';
import { ruleResult } from './rule-result.js';
import type { CheckResult, CheckSeen, ChecksEvidence, RuleResult } from './verdict.js';

const PASSING: ReadonlySet<CheckConclusion> = new Set(['success', 'neutral', 'skipped']);
const NOT_COUNTED = ': not counted';
const NONE: string[] = [];

/** How one check's latest result reads: passing, failing, or still running. */
export function classifyCheck(check: CheckFacts): CheckResult {
  if (check.status !== 'completed') return 'pending';
  return check.conclusion && PASSING.has(check.conclusion) ? 'passing' : 'failing';
}

/** A `checks.required` entry, normalised: a name pattern and the source it is pinned to, if any. */
export interface RequiredCheck {
  name: string;
  /** Only a check run by this GitHub App (slug) counts. */
  app: string | null;
  /** Only a commit status by this account counts. */
  creator: string | null;
  /** How the entry reads in evidence: `build`, `build (check run by app github-actions)`. */
  label: string;
}

/** The policy's `checks.required` entries, normalised once per policy. */
export const requiredChecks = perPolicyValue((policy): RequiredCheck[] =>
  policy.checks.required.map((entry) => {
    if (typeof entry === 'string') return { name: entry, app: null, creator: null, label: entry };
    const app = entry.app ?? null;
    const creator = entry.creator ?? null;
    const label = app ? `${entry.name} (check run by app ${app})` : creator ? `${entry.name} (status by @${creator})` : entry.name;
    return { name: entry.name, app, creator, label };
  }),
);

const requiredLabels = perPolicyValue((policy): string[] => requiredChecks(policy).map((r) => r.label));

/** Whether a check comes from the source an entry pins (any source when it pins none). */
function fromPinnedSource(entry: RequiredCheck, check: CheckFacts): boolean {
  if (entry.app) return check.source === 'check_run' && sameLogin(check.reporter, entry.app);
  if (entry.creator) return check.source === 'status' && sameLogin(check.reporter, entry.creator);
  return true;
}

/**
 * Checks on the head commit: the latest check run per name and the latest
 * status per context, Changeproof's own excluded. Any failure fails; anything
 * still running, a required check not yet reported, or fewer than
 * `min_passing` passing checks is pending while open and fails at merge.
 *
 * A check counts only when the people it checks could not have written it:
 * a commit status posted by a contributor of the change (or by an account
 * GitHub no longer names) is set aside, and a required entry pinned to an
 * app or account is met only by a check from that source.
 */
export function checkChecks(ctx: RuleContext): RuleResult<ChecksEvidence> {
  const { min_passing: minPassing } = ctx.policy.checks;
  const required = requiredChecks(ctx.policy);
  // At merge, the checks are judged as they stood when the merge happened: a status posted
  // after it does not count, and a run that finished after it still ran at the merge.
  const mergedAt = ctx.stage === 'merge' && ctx.facts.merge ? Date.parse(ctx.facts.merge.mergedAt) : null;
  const after = (check: CheckFacts) => mergedAt !== null && check.at !== null && Date.parse(check.at) > mergedAt;
  const { latest, ignored } = latestChecks(ctx.facts.checks);
  const considered: CheckSeen[] = [];
  for (const check of latest) {
    if (check.source === 'status') {
      const notCounted = !check.reporter ? 'posted by an account GitHub does not name: not counted'
        : isContributor(ctx, check.reporter) ? `posted by a contributor (@${check.reporter}): not counted`
          : after(check) ? `posted at ${check.at}, after the merge at ${ctx.facts.merge!.mergedAt}: not counted` : null;
      if (notCounted) {
        ignored.push({ name: check.name, source: check.source, why: notCounted, reporter: check.reporter });
        // GitHub keeps only the latest status of a context: whatever this one replaced (a CI
        // failure, say) cannot be seen, so where every check must pass the context is unknown.
        if (!required.length) {
          const { name, source, status, conclusion, at, url, reporter } = check;
          considered.push({ name, source, status, conclusion, at, url, reporter, result: 'pending', requiredBy: [], hidden: notCounted.slice(0, -NOT_COUNTED.length) });
        }
        continue;
      }
    }
    let requiredBy: string[] = [];
    if (required.length) {
      const named = required.filter((r) => matchesCheckName(r.name, check.name));
      requiredBy = named.filter((r) => fromPinnedSource(r, check)).map((r) => r.label);
      if (!requiredBy.length) {
        const why = named.length ? `from ${describeSource(check)}, not the source ${listOf(named.map((r) => `\`${r.label}\``), 'or')} requires: not counted` : 'not listed in checks.required';
        ignored.push({ name: check.name, source: check.source, why, reporter: check.reporter });
        continue;
      }
    }
    const { name, source, status, conclusion, at, url, reporter } = check;
    if (after(check)) considered.push({ name, source, status, conclusion, at, url, reporter, result: 'pending', requiredBy, finishedAfterMerge: true });
    else considered.push({ name, source, status, conclusion, at, url, reporter, result: classifyCheck(check), requiredBy });
  }
  const missingRequired = required.length ? required.filter((r) => !considered.some((c) => c.requiredBy.includes(r.label))).map((r) => r.label) : NONE;
  const failing = considered.filter((c) => c.result === 'failing');
  const running = considered.filter((c) => c.result === 'pending');
  const passing = considered.filter((c) => c.result === 'passing').length;
  const evidence: ChecksEvidence = { headSha: ctx.facts.headSha, considered, ignored, requiredPatterns: requiredLabels(ctx.policy), missingRequired, passing, minPassing };
  const head = { rule: 'checks' as const, name: 'Checks', required: describeRequirement(ctx.policy), evidence };
  const seen = describeSeen(ctx.facts.headSha, considered, missingRequired, ignored);

  if (failing.length) {
    const names = listOf(failing.map((c) => `\`${c.name}\` (${c.conclusion ?? 'no conclusion'})`));
    return ruleResult(head, { status: 'fail', seen, short: `${failing.length === 1 ? 'check' : 'checks'} ${names} failed`, toPass: `fix ${names} and push, or re-run it if the failure was spurious` });
  }
  const unmet: string[] = [];
  const finishedLate = running.filter((c) => c.finishedAfterMerge);
  const hidden = running.filter((c) => c.hidden);
  const stillRunning = running.filter((c) => !c.finishedAfterMerge && !c.hidden);
  if (stillRunning.length) unmet.push(`${listOf(stillRunning.map((c) => `\`${c.name}\``))} still ${stillRunning.length === 1 ? 'runs' : 'run'}`);
  if (finishedLate.length) {
    const when = finishedLate.length === 1 ? `it finished at ${finishedLate[0]!.at}` : 'they finished';
    unmet.push(`${listOf(finishedLate.map((c) => `\`${c.name}\``))} still ran (${when}, after the merge at ${ctx.facts.merge!.mergedAt})`);
  }
  for (const c of hidden) unmet.push(`the result of \`${c.name}\` cannot be established: its latest status was ${c.hidden}, and GitHub shows only a context's latest status, so an earlier one (a failure) may be hidden`);
  if (missingRequired.length) unmet.push(`required ${listOf(missingRequired.map((p) => `\`${p}\``))} not reported`);
  if (passing < minPassing) unmet.push(`${passing} of ${plural(minPassing, 'passing check')}`);
  if (!unmet.length) {
    return ruleResult(head, { status: 'pass', seen, short: `${plural(passing, 'check')} passed`, toPass: null });
  }
  if (ctx.stage === 'merge') {
    return ruleResult(head, { status: 'fail', seen, short: `merged while ${unmet[0]}`, toPass: 'the change was merged before its checks passed; record an exception' });
  }
  const setAside = ignored.some((i) => i.why.endsWith(NOT_COUNTED));
  return ruleResult(head, {
    status: 'pending',
    seen,
    short: unmet[0]!,
    toPass: `wait for the checks to finish${missingRequired.length || passing < minPassing ? '; make sure the required checks run on this commit' : ''}${setAside ? ', reported by a source that is not a contributor of the change (and the one a pinned entry names)' : ''}`,
  });
}

function describeSource(check: CheckFacts): string {
  if (check.source === 'check_run') return check.reporter ? `app ${check.reporter}` : 'an unknown app';
  return check.reporter ? `a status by @${check.reporter}` : 'a status by an unknown account';
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

const describeRequirement = perPolicy((policy) => {
  const required = requiredChecks(policy);
  const which = required.length ? `Required checks ${listOf(required.map((p) => `\`${p.label}\``))} present and passing` : 'Every check on the head commit passing';
  return `${which}; at least ${plural(policy.checks.min_passing, 'passing check')}; statuses posted by a contributor never count`;
});

function describeSeen(headSha: string, considered: CheckSeen[], missing: string[], ignored: ChecksEvidence['ignored']): string {
  let notCountedText = '';
  for (const i of ignored) if (i.why.endsWith(NOT_COUNTED)) notCountedText += `; \`${i.name}\` ${i.why}`;
  if (!considered.length && !missing.length) return `No checks reported on ${shortSha(headSha)}${notCountedText}.`;
  const list = considered.map((c) => `\`${c.name}\` ${c.conclusion ?? c.status}${c.at ? ` at ${c.at}` : ''}`).join('; ');
  const missingText = missing.length ? `${list ? '; ' : ''}not reported: ${missing.map((p) => `\`${p}\``).join(', ')}` : '';
  return `On ${shortSha(headSha)}: ${list}${missingText}${notCountedText}.`;
}
