import { GitHubEvidenceError, toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

/** An open pull request, as much as a re-evaluation needs to start. */
export interface OpenPullRequest {
  number: number;
  url: string;
  headSha: string;
  baseRef: string;
  author: string | null;
}

interface RestPull {
  number: number;
  html_url: string;
  state: string;
  head: { sha: string };
  base: { ref: string };
  user: { login: string } | null;
}

const toOpen = (p: RestPull): OpenPullRequest => ({ number: p.number, url: p.html_url, headSha: p.head.sha, baseRef: p.base.ref, author: p.user?.login ?? null });

/**
 * Every open pull request of a repository (100 a page, at most `maxPages`
 * pages: a repository with more is an error, never a silently partial list).
 *
 * @example const open = await listOpenPullRequests(octokit, { owner: 'acme', repo: 'api' });
 */
export async function listOpenPullRequests(octokit: GitHubClient, ref: { owner: string; repo: string }, options: { maxPages?: number } = {}): Promise<OpenPullRequest[]> {
  const maxPages = options.maxPages ?? 20;
  const out: OpenPullRequest[] = [];
  for (let page = 1; page <= maxPages; page++) {
    let data: RestPull[];
    try {
      ({ data } = (await octokit.request(ROUTES.listPullRequests, { owner: ref.owner, repo: ref.repo, state: 'open', per_page: 100, page })) as { data: RestPull[] });
    } catch (error) {
      throw toGitHubEvidenceError(error, `the open pull requests of ${ref.owner}/${ref.repo}`);
    }
    out.push(...data.map(toOpen));
    if (data.length < 100) return out;
  }
  throw new GitHubEvidenceError('incomplete', `${ref.owner}/${ref.repo} has more than ${maxPages * 100} open pull requests`);
}

/**
 * The open pull requests whose head is `sha` — the ones a commit status or a
 * check on that commit concerns (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`).
 *
 * @example const prs = await openPullRequestsForSha(octokit, { owner: 'acme', repo: 'api', sha });
 */
export async function openPullRequestsForSha(octokit: GitHubClient, ref: { owner: string; repo: string; sha: string }): Promise<OpenPullRequest[]> {
  let data: RestPull[];
  try {
    ({ data } = (await octokit.request(ROUTES.listPullRequestsForCommit, { owner: ref.owner, repo: ref.repo, commit_sha: ref.sha, per_page: 100 })) as { data: RestPull[] });
  } catch (error) {
    throw toGitHubEvidenceError(error, `the pull requests of commit ${ref.sha.slice(0, 7)} in ${ref.owner}/${ref.repo}`);
  }
  return data.filter((p) => p.state === 'open' && p.head.sha === ref.sha).map(toOpen);
}
