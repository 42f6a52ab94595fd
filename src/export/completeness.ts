import { evaluate } from '../core/policy/evaluate.js';
import { errorVerdict, policyErrorVerdict } from '../core/policy/special-verdicts.js';
import type { Verdict } from '../core/policy/verdict.js';
import { associateCommits } from '../github/associate-commits.js';
import { collectChange } from '../github/collect-change.js';
import { toGitHubEvidenceError } from '../github/errors.js';
import type { GitHubClient } from '../github/octokit.js';
import { PolicyCache } from '../github/policy-cache.js';
import { ROUTES } from '../github/routes.js';
import { inPeriod, type ObservationPeriod } from '../sampling/period.js';
import { safeText } from './csv.js';
import type { CompletenessResult, CompletenessRunner } from './export.js';
import type { RecordedInRepo } from './scan.js';

/**
 * Completeness (SPEC §5.2): the ledger is reconciled with GitHub itself. For
 * each repository, every commit reachable on the default branch and
 * committed in the period (GitHub's `since`/`until`, on committer dates: a
 * merge commit's is its merge time) must be a recorded change's merge
 * commit or a commit of a recorded push; any other commit is looked up
 * (commit → pull requests): one brought by a merged pull request the ledger
 * recorded is covered (a rebase merge), anything else is a gap. Every pull
 * request merged into the default branch in the period must have a change
 * record too. Each gap pull request is evaluated again from GitHub now, with
 * the policy on the default branch now, and marked `reconstructed`: it is
 * not evidence from the time of the change.
 */
export const COMPLETENESS_COLUMNS = [
  'repo', 'gap', 'commit_sha', 'pull_number', 'url', 'occurred_at', 'author', 'detail',
  'reconstructed', 'reconstructed_verdict', 'reconstructed_at', 'reconstructed_rules',
] as const;

export interface CompletenessOptions {
  now: () => Date;
  /** Concurrent commit lookups per repository. Default 4. */
  concurrency?: number;
  /** Pages of closed pull requests read per repository. Default 100 (10,000 pull requests). */
  maxPullPages?: number;
  onProgress?: (stage: string, done: number) => void;
}

interface Gap {
  kind: 'commit_not_recorded' | 'merged_pull_request_not_recorded';
  sha: string | null;
  number: number | null;
  url: string | null;
  at: string | null;
  author: string | null;
  detail: string;
}

export function githubCompleteness(octokit: GitHubClient, repos: string[], options: CompletenessOptions): CompletenessRunner {
  return async (recorded, period) => {
    const rows: string[][] = [];
    const failures: { repo: string; reason: string }[] = [];
    let commitsChecked = 0;
    let pullRequestsChecked = 0;
    for (const full of repos) {
      const [owner, repo] = full.split('/') as [string, string];
      try {
        const found = await reconcile(octokit, { owner, repo }, recorded.get(full) ?? { pulls: new Set(), commits: new Set() }, period, options);
        commitsChecked += found.commits;
        pullRequestsChecked += found.pullRequests;
        for (const gap of found.gaps) rows.push(await gapRow(octokit, full, gap, options));
      } catch (error) {
        failures.push({ repo: full, reason: toGitHubEvidenceError(error, `the history of ${full}`).message });
        rows.push([full, 'not_reconciled', '', '', '', '', '', safeText(toGitHubEvidenceError(error, `the history of ${full}`).message), 'no', '', '', '']);
      }
    }
    return {
      summary: { repositories: [...repos], commitsChecked, pullRequestsChecked, gaps: rows.filter((r) => r[1] !== 'not_reconciled').length, failures },
      columns: COMPLETENESS_COLUMNS,
      rows,
    };
  };
}

async function reconcile(
  octokit: GitHubClient,
  ref: { owner: string; repo: string },
  recorded: RecordedInRepo,
  period: ObservationPeriod,
  options: CompletenessOptions,
): Promise<{ commits: number; pullRequests: number; gaps: Gap[] }> {
  const { data: repository } = await octokit.request(ROUTES.getRepository, ref);
  const branch = repository.default_branch;
  const gaps: Gap[] = [];
  const gapPulls = new Set<number>();

  // 1. every commit on the default branch in the period
  const unexplained: { sha: string; at: string | null; author: string | null; url: string | null }[] = [];
  let commits = 0;
  for (let page = 1; ; page += 1) {
    const { data } = await octokit.request(ROUTES.listCommits, { ...ref, sha: branch, since: period.start, until: lastInstant(period), per_page: 100, page });
    for (const c of data) {
      commits += 1;
      if (!recorded.commits.has(c.sha)) {
        unexplained.push({ sha: c.sha, at: c.commit.committer?.date ?? null, author: c.author?.login ?? c.commit.author?.name ?? null, url: c.html_url ?? null });
      }
    }
    options.onProgress?.(`reconcile ${ref.owner}/${ref.repo}: commits`, commits);
    if (data.length < 100) break;
  }
  const associations = await associateCommits(octokit, { ...ref, shas: unexplained.map((c) => c.sha) }, { concurrency: options.concurrency ?? 4 });
  associations.forEach((a, i) => {
    const c = unexplained[i]!;
    const pr = a.introducedBy && a.introducedBy.baseRef === branch ? a.introducedBy : null;
    if (pr && recorded.pulls.has(pr.number)) return;
    if (pr) {
      if (gapPulls.has(pr.number)) return;
      gapPulls.add(pr.number);
      gaps.push({ kind: 'merged_pull_request_not_recorded', sha: c.sha, number: pr.number, url: pr.url, at: pr.mergedAt, author: pr.author?.login ?? null,
        detail: `commit ${c.sha} on ${branch} came from pull request #${pr.number}, merged ${pr.mergedAt}, which the ledger has no change record of` });
    } else {
      gaps.push({ kind: 'commit_not_recorded', sha: c.sha, number: null, url: c.url, at: c.at, author: c.author,
        detail: `commit ${c.sha} reached ${branch} without a merged pull request, and the ledger recorded no push that carried it` });
    }
  });

  // 2. every pull request merged into the default branch in the period
  let pullRequests = 0;
  for (let page = 1; ; page += 1) {
    const { data } = await octokit.request(ROUTES.listPullRequests, { ...ref, state: 'closed', base: branch, sort: 'updated', direction: 'desc', per_page: 100, page });
    for (const pr of data) {
      if (!pr.merged_at || pr.base.ref !== branch || !inPeriod(period, pr.merged_at)) continue;
      pullRequests += 1;
      if (recorded.pulls.has(pr.number) || gapPulls.has(pr.number)) continue;
      gapPulls.add(pr.number);
      gaps.push({ kind: 'merged_pull_request_not_recorded', sha: pr.merge_commit_sha, number: pr.number, url: pr.html_url, at: pr.merged_at, author: pr.user?.login ?? null,
        detail: `pull request #${pr.number} was merged into ${branch} at ${pr.merged_at}; the ledger has no change record of it` });
    }
    options.onProgress?.(`reconcile ${ref.owner}/${ref.repo}: pull requests`, pullRequests);
    if (data.length < 100 || data.every((pr) => pr.updated_at < period.start)) break;
    if (page >= (options.maxPullPages ?? 100)) throw new Error(`more than ${page * 100} closed pull requests were updated since the period began; Changeproof reads at most that many`);
  }
  return { commits, pullRequests, gaps };
}

/** The last instant inside the period (GitHub's `until` is inclusive). */
function lastInstant(period: ObservationPeriod): string {
  return new Date(Date.parse(period.end) - 1000).toISOString().replace('.000Z', 'Z');
}

async function gapRow(octokit: GitHubClient, repo: string, gap: Gap, options: CompletenessOptions): Promise<string[]> {
  const base = [repo, gap.kind, gap.sha ?? '', gap.number === null ? '' : String(gap.number), gap.url ?? '', gap.at ?? '', gap.author ?? '', safeText(gap.detail)];
  if (gap.number === null) return [...base, 'no', '', '', 'a direct push has no pull request to evaluate'];
  const [owner, name] = repo.split('/') as [string, string];
  const verdict = await reconstruct(octokit, { owner, repo: name, number: gap.number }, options.now);
  const rules = verdict.rules.map((r) => `${r.rule}: ${r.status}`).join('; ');
  return [...base, 'yes', verdict.outcome, verdict.evaluatedAt, safeText(rules || verdict.error || '')];
}

/** The verdict GitHub's evidence gives now, with the policy on the default branch now. */
async function reconstruct(octokit: GitHubClient, ref: { owner: string; repo: string; number: number }, now: () => Date): Promise<Verdict> {
  try {
    const { facts, policy } = await collectChange(octokit, ref, { now, cache: new PolicyCache() });
    return policy.ok ? evaluate(policy.policy, facts, now()) : policyErrorVerdict(facts, policy.error.problems, now());
  } catch (error) {
    const subject = { repository: `${ref.owner}/${ref.repo}`, number: ref.number, url: '', headSha: '', baseRef: '', author: null, mergeCommitSha: null, mergedAt: null, mergedBy: null };
    return errorVerdict(subject, toGitHubEvidenceError(error, `pull request #${ref.number}`).message, 'merge', now());
  }
}
