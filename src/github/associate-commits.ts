import type { Actor, IsoTime } from '../core/facts.js';
import { GitHubEvidenceError, toGitHubEvidenceError } from './errors.js';
import { mapWithConcurrency } from './map-with-concurrency.js';
import { toIsoUtc } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

/** A pull request GitHub associates with a commit. */
export interface AssociatedPullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  baseRef: string;
  mergedAt: IsoTime | null;
  mergeCommitSha: string | null;
  /** The pull request's head commit: what was reviewed (for a merged one, its last commit). */
  headSha: string | null;
  author: Actor | null;
}

export interface CommitAssociation {
  sha: string;
  /** The merged pull request that brought the commit in (earliest merged if several); null = a direct push. */
  introducedBy: AssociatedPullRequest | null;
  /** Every pull request GitHub listed for the commit, for the record. */
  pullRequests: AssociatedPullRequest[];
}

export interface AssociateCommitsOptions {
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Pages (100 pull requests each) read per commit. Default 5. */
  maxPages?: number;
}

/**
 * For each commit, the merged pull request (if any) that introduced it, from
 * `GET /repos/{owner}/{repo}/commits/{sha}/pulls` — for a commit on the
 * default branch GitHub lists the merged pull request that introduced it; a
 * commit with none was pushed directly. Requests run with bounded concurrency
 * (Octokit's throttling still spaces them and retries rate limits). Any commit
 * whose association cannot be read throws `GitHubEvidenceError`: a missing
 * answer must not look like a direct push, nor like a reviewed change.
 *
 * @example
 * const links = await associateCommits(octokit, { owner: 'acme', repo: 'api', shas: range.commits.map((c) => c.sha) });
 * const directPushes = links.filter((l) => l.introducedBy === null);
 */
export async function associateCommits(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; shas: readonly string[] },
  options: AssociateCommitsOptions = {},
): Promise<CommitAssociation[]> {
  const maxPages = options.maxPages ?? 5;
  return mapWithConcurrency(ref.shas, options.concurrency ?? 4, async (sha) => {
    const pullRequests: AssociatedPullRequest[] = [];
    for (let page = 1; ; page += 1) {
      let data;
      try {
        ({ data } = await octokit.request(ROUTES.listPullRequestsForCommit, { owner: ref.owner, repo: ref.repo, commit_sha: sha, per_page: 100, page }));
      } catch (error) {
        throw toGitHubEvidenceError(error, `the pull requests of commit ${sha.slice(0, 7)} in ${ref.owner}/${ref.repo}`);
      }
      pullRequests.push(...data.map(mapPullRequest));
      if (data.length < 100) break;
      if (page >= maxPages) {
        throw new GitHubEvidenceError('incomplete', `commit ${sha.slice(0, 7)} in ${ref.owner}/${ref.repo} belongs to more than ${maxPages * 100} pull requests; Changeproof reads at most that many`);
      }
    }
    const merged = pullRequests.filter((p) => p.mergedAt !== null).sort((a, b) => a.mergedAt!.localeCompare(b.mergedAt!));
    return { sha, introducedBy: merged[0] ?? null, pullRequests };
  });
}

interface RestPullRequest {
  number: number;
  html_url: string;
  state: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: { ref: string };
  head?: { sha?: string } | null;
  user: { login: string; type?: string } | null;
}

function mapPullRequest(pr: RestPullRequest): AssociatedPullRequest {
  return {
    number: pr.number,
    url: pr.html_url,
    state: pr.state === 'open' ? 'open' : 'closed',
    baseRef: pr.base.ref,
    mergedAt: pr.merged_at ? toIsoUtc(pr.merged_at) : null,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    headSha: pr.head?.sha ?? null,
    author: pr.user ? { login: pr.user.login, type: pr.user.type === 'Bot' ? 'Bot' : pr.user.type === 'Organization' ? 'Organization' : 'User' } : null,
  };
}
