import type { Outcome } from '../../../src/core/policy/verdict.js';
import type { EvaluationRecord } from '../../../src/core/records.js';
import type { LedgerEntry } from '../../../src/ledger/index.js';
import type { GitHubSimulator } from '../../support/simulator/server.js';
import type { SimCheckRun } from '../../support/simulator/world.js';

export const CHECK_RUN = 'Change control (CC8.1)';

/** Changeproof's check runs in a simulated repository. */
export function ourRuns(sim: GitHubSimulator, repo: string): SimCheckRun[] {
  return sim.world.repo(repo).checkRuns.filter((r) => r.name === CHECK_RUN);
}

/**
 * The run GitHub shows for our check on a commit: the latest (highest id).
 * Earlier runs on the same commit are superseded (the app starts a new run
 * when a final verdict becomes pending again, as GitHub does not reopen one).
 */
export function shownRun(sim: GitHubSimulator, repo: string, headSha: string): SimCheckRun | undefined {
  return ourRuns(sim, repo).filter((r) => r.headSha === headSha).sort((a, b) => b.id - a.id)[0];
}

/** The check run GitHub would show for a verdict (SPEC §2.1: status and conclusion). */
export function expectedRun(outcome: Outcome): { status: string; conclusion: string | null } {
  switch (outcome) {
    case 'compliant':
      return { status: 'COMPLETED', conclusion: 'SUCCESS' };
    case 'pending':
      return { status: 'IN_PROGRESS', conclusion: null };
    case 'emergency':
      return { status: 'COMPLETED', conclusion: 'NEUTRAL' };
    default:
      return { status: 'COMPLETED', conclusion: 'FAILURE' };
  }
}

export const verdictOf = (e: LedgerEntry) => (e.data as unknown as EvaluationRecord).verdict;

/** The ledger entry a check run says it shows (`Ledger entry #N` in its summary). */
export function entryOfRun(run: SimCheckRun, entries: LedgerEntry[]): LedgerEntry | undefined {
  const seq = Number(/Ledger entry #(\d+)/.exec(run.output.summary ?? '')?.[1]);
  return entries.find((e) => e.seq === seq);
}

/**
 * False successes (SPEC §2.1: `error` is never reported as a pass):
 * - a recorded `compliant` verdict for a pull request whose real state is not compliant;
 * - a success check run that no recorded compliant verdict for that very head commit established;
 * - a success check run shown on a pull request's current head whose real state is not
 *   compliant (only where `settled`: the app has had the chance to bring GitHub up to date).
 * Only entries from `fromSeq` on are judged (the truth may have changed since earlier ones).
 * `truth` gives the real outcome of `repo#number` now (undefined: not judged).
 */
export function falseSuccesses(
  sim: GitHubSimulator,
  entries: LedgerEntry[],
  repos: string[],
  truth: (repo: string, number: number) => Outcome | undefined,
  options: { settled: boolean; fromSeq?: number },
): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    if ((e.kind !== 'evaluation' && e.kind !== 'change') || e.seq < (options.fromSeq ?? 0)) continue;
    const v = verdictOf(e);
    const real = truth(v.subject.repository, v.subject.number);
    if (v.outcome === 'compliant' && real !== undefined && real !== 'compliant') {
      problems.push(`#${e.seq} records ${v.subject.repository}#${v.subject.number} compliant; it is ${real}`);
    }
  }
  for (const repo of repos) {
    for (const run of ourRuns(sim, repo).filter((r) => r.conclusion === 'SUCCESS')) {
      const entry = entryOfRun(run, entries);
      const v = entry && (entry.kind === 'evaluation' || entry.kind === 'change') ? verdictOf(entry) : null;
      if (!v || v.outcome !== 'compliant' || v.subject.headSha !== run.headSha) {
        problems.push(`check run ${run.id} on ${repo}@${run.headSha.slice(0, 7)} is a success no recorded compliant verdict established`);
        continue;
      }
      if (shownRun(sim, repo, run.headSha) !== run) continue; // superseded by a later run on the same commit
      const pr = [...sim.world.repo(repo).pulls.values()].find((p) => p.commits.at(-1) === run.headSha);
      const real = pr ? truth(repo, pr.number) : undefined;
      if (options.settled && real !== undefined && real !== 'compliant') problems.push(`${repo}#${pr!.number} shows a success check run; it is ${real}`);
    }
  }
  return problems;
}
