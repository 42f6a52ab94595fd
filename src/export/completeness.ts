import { evaluate } from '../core/policy/evaluate.js';
import { errorVerdict, policyErrorVerdict } from '../core/policy/special-verdicts.js';
import type { Verdict } from '../core/policy/verdict.js';
import { associateCommits } from '../github/associate-commits.js';
import { collectChange } from '../github/collect-change.js';
import { toGitHubEvidenceError } from '../github/errors.js';
import { listRangeCommits } from '../github/list-range-commits.js';
import type { GitHubClient } from '../github/octokit.js';
import { PolicyCache } from '../github/policy-cache.js';
import { ROUTES } from '../github/routes.js';
import { inPeriod, type ObservationPeriod } from '../sampling/period.js';
import { safeText } from './csv.js';
import type { CompletenessRunner } from './export.js';
import type { RecordedInRepo } from './scan.js';

/**
 * Completeness: the ledger is reconciled with GitHub itself. For each
 * repository, every commit that reached the default branch in the period
 * must be a recorded change's merge commit or a commit of a recorded push;
 * any other commit is looked up (commit → pull requests): one brought by a
 * merged pull request the ledger recorded is covered (a rebase merge),
 * anything else is a gap. Every pull request merged into the default branch
 * in the period must have a change record too. Each gap pull request is
 * evaluated again from GitHub now, with the policy on the default branch now,
 * and marked `reconstructed`: it is not evidence from the time of the change.
 *
 * Which commits reached the branch in the period is decided **by ancestry**,
 * not by commit dates (which their authors set: a lost push backdated to 2019
 * would slip past a date filter): the commits reachable from the branch's
 * head and not from its head when the period began, which the ledger's push
 * records give; those the ledger's last recorded push of the period reaches
 * are in the period, and any beyond it (pushed after the last push the ledger
 * saw) are counted in when their committer date is not after the period — a
 * false gap rather than a missed one. Where the ledger knows no head before
 * the period, the commits are selected by date, and the summary says so.
 */
export const COMPLETENESS_COLUMNS = [
  'repo', 'gap', 'commit_sha', 'pull_number', 'url', 'occurred_at', 'author', 'detail',
  'reconstructed', 'reconstructed_verdict', 'reconstructed_at', 'reconstructed_rules',
] as const;

/** How the commits of a repository's period were selected. */
export interface ReconcileMethod {
  repo: string;
  method: 'ancestry' | 'dates';
  detail: string;
}

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

/**
 * The reconciliation of each repository with GitHub, through one client, or
 * one per repository (`clientFor`: the app asks each repository's
 * installation when it re-derives an export before signing it). A client
 * that cannot be had makes its repository "not reconciled", with why.
 */
export function githubCompleteness(clients: GitHubClient | ((repo: string) => Promise<GitHubClient>), repos: readonly string[], options: CompletenessOptions): CompletenessRunner {
  const clientFor = typeof clients === 'function' ? clients : async () => clients;
  return async (recorded, period) => {
    const rows: string[][] = [];
    const failures: { repo: string; reason: string }[] = [];
    const methods: ReconcileMethod[] = [];
    let commitsChecked = 0;
    let pullRequestsChecked = 0;
    for (const full of repos) {
      const [owner, repo] = full.split('/') as [string, string];
      try {
        const octokit = await clientFor(full);
        // The ledger's spelling of the repository (GitHub's names ignore case).
        const inLedger = recorded.get(full) ?? [...recorded].find(([name]) => name.toLowerCase() === full.toLowerCase())?.[1];
        const found = await reconcile(octokit, { owner, repo }, inLedger ?? { pulls: new Set(), commits: new Set(), pushes: [] }, period, options);
        commitsChecked += found.commits;
        pullRequestsChecked += found.pullRequests;
        methods.push({ repo: full, ...found.method });
        for (const gap of found.gaps) rows.push(await gapRow(octokit, full, gap, options));
      } catch (error) {
        failures.push({ repo: full, reason: toGitHubEvidenceError(error, `the history of ${full}`).message });
        rows.push([full, 'not_reconciled', '', '', '', '', '', safeText(toGitHubEvidenceError(error, `the history of ${full}`).message), 'no', '', '', '']);
      }
    }
    return {
      summary: { repositories: [...repos], commitsChecked, pullRequestsChecked, gaps: rows.filter((r) => r[1] !== 'not_reconciled').length, failures, methods },
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
): Promise<{ commits: number; pullRequests: number; gaps: Gap[]; method: Omit<ReconcileMethod, 'repo'> }> {
  const { data: repository } = await octokit.request(ROUTES.getRepository, ref);
  const branch = repository.default_branch;
  const gaps: Gap[] = [];
  const gapPulls = new Set<number>();

  // 1. every commit that reached the default branch in the period
  const selected = await commitsOfPeriod(octokit, ref, branch, recorded, period, options);
  const commits = selected.commits.length;
  const unexplained = selected.commits.filter((c) => !recorded.commits.has(c.sha));
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

  // 2. every pull request merged into the default branch in the period (listed by when each was
  // last updated, which any comment changes: the gaps are put in order of number, so the same
  // history always gives the same file)
  let pullRequests = 0;
  const pullGaps: Gap[] = [];
  for (let page = 1; ; page += 1) {
    const { data } = await octokit.request(ROUTES.listPullRequests, { ...ref, state: 'closed', base: branch, sort: 'updated', direction: 'desc', per_page: 100, page });
    for (const pr of data) {
      if (!pr.merged_at || pr.base.ref !== branch || !inPeriod(period, pr.merged_at)) continue;
      pullRequests += 1;
      if (recorded.pulls.has(pr.number) || gapPulls.has(pr.number)) continue;
      gapPulls.add(pr.number);
      pullGaps.push({ kind: 'merged_pull_request_not_recorded', sha: pr.merge_commit_sha, number: pr.number, url: pr.html_url, at: pr.merged_at, author: pr.user?.login ?? null,
        detail: `pull request #${pr.number} was merged into ${branch} at ${pr.merged_at}; the ledger has no change record of it` });
    }
    options.onProgress?.(`reconcile ${ref.owner}/${ref.repo}: pull requests`, pullRequests);
    if (data.length < 100 || data.every((pr) => pr.updated_at < period.start)) break;
    if (page >= (options.maxPullPages ?? 100)) throw new Error(`more than ${page * 100} closed pull requests were updated since the period began; Changeproof reads at most that many`);
  }
  gaps.push(...pullGaps.sort((a, b) => a.number! - b.number!));
  return { commits, pullRequests, gaps, method: selected.method };
}

interface PeriodCommit {
  sha: string;
  at: string | null;
  author: string | null;
  url: string | null;
}

/**
 * The commits that reached `branch` in the period: by ancestry from the
 * branch's head when the period began (the `after` of the last push the
 * ledger recorded before it), else by committer date.
 */
async function commitsOfPeriod(
  octokit: GitHubClient,
  ref: { owner: string; repo: string },
  branch: string,
  recorded: RecordedInRepo,
  period: ObservationPeriod,
  options: CompletenessOptions,
): Promise<{ commits: PeriodCommit[]; method: Omit<ReconcileMethod, 'repo'> }> {
  const pushes = recorded.pushes.filter((p) => p.ref === `refs/heads/${branch}`).sort((a, b) => a.at.localeCompare(b.at));
  const start = pushes.filter((p) => p.at < period.start).at(-1);
  const lastInPeriod = pushes.filter((p) => p.at < period.end).at(-1);
  if (start) {
    let range;
    try {
      range = await listRangeCommits(octokit, { ...ref, base: start.after, head: branch });
    } catch (error) {
      const reason = toGitHubEvidenceError(error, `the history of ${ref.owner}/${ref.repo}`).message;
      return byDates(octokit, ref, branch, period, options, `by commit dates: GitHub could not compare ${branch} with its head ${start.after} before the period (${reason})`);
    }
    if (range.gap) throw new Error(`the history of ${branch} since ${start.after} could not be read completely: ${range.gap}`);
    // What the last push the ledger recorded in the period reaches is in the period, whatever its dates.
    const nodes = new Map(range.commits.map((c) => [c.sha, c]));
    const reached = new Set<string>();
    const stack = lastInPeriod && nodes.has(lastInPeriod.after) ? [lastInPeriod.after] : [];
    while (stack.length) {
      const sha = stack.pop()!;
      if (reached.has(sha) || !nodes.has(sha)) continue;
      reached.add(sha);
      stack.push(...nodes.get(sha)!.parents);
    }
    const until = lastInstant(period);
    const commits = range.commits
      .filter((c) => reached.has(c.sha) || (c.committedAt ?? '') <= until)
      .map((c) => ({ sha: c.sha, at: c.committedAt, author: c.author.user?.login ?? c.author.name, url: c.url }));
    options.onProgress?.(`reconcile ${ref.owner}/${ref.repo}: commits`, commits.length);
    const beyond = range.commits.filter((c) => !reached.has(c.sha)).length;
    return {
      commits,
      method: {
        method: 'ancestry',
        detail: `by ancestry: the commits of ${branch} since its head ${start.after} of ${start.at} (the last push the ledger recorded before the period)` +
          (lastInPeriod && lastInPeriod !== start ? `, up to ${lastInPeriod.after} of ${lastInPeriod.at} (its last push recorded in the period)` : '') +
          (beyond ? `; ${beyond} later commit(s) by committer date` : ''),
      },
    };
  }
  return byDates(octokit, ref, branch, period, options, `by commit dates: the ledger has no push of ${branch} recorded before the period, so its head then is not known`);
}

async function byDates(
  octokit: GitHubClient, ref: { owner: string; repo: string }, branch: string, period: ObservationPeriod, options: CompletenessOptions, detail: string,
): Promise<{ commits: PeriodCommit[]; method: Omit<ReconcileMethod, 'repo'> }> {
  const commits: PeriodCommit[] = [];
  for (let page = 1; ; page += 1) {
    const { data } = await octokit.request(ROUTES.listCommits, { ...ref, sha: branch, since: period.start, until: lastInstant(period), per_page: 100, page });
    for (const c of data) commits.push({ sha: c.sha, at: c.commit.committer?.date ?? null, author: c.author?.login ?? c.commit.author?.name ?? null, url: c.html_url ?? null });
    options.onProgress?.(`reconcile ${ref.owner}/${ref.repo}: commits`, commits.length);
    if (data.length < 100) break;
  }
  return { commits, method: { method: 'dates', detail } };
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
