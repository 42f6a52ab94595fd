import type { Actor, CommitPerson, IsoTime } from '../core/facts.js';
import { toGitHubEvidenceError } from './errors.js';
import { toIsoUtc } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';
import { isWebFlow } from '../core/people.js';

/** A commit of a range as the REST API reports it (no co-authors: GraphQL alone links those). */
export interface RangeCommit {
  sha: string;
  headline: string;
  authoredAt: IsoTime | null;
  committedAt: IsoTime | null;
  author: CommitPerson;
  committer: CommitPerson;
  /** Whether GitHub verified the commit's signature (against the committer's keys: for `web-flow`, GitHub's own). */
  verified: boolean;
  parents: string[];
  url: string | null;
}

export interface CommitRange {
  base: string;
  head: string;
  /** GitHub's comparison: `ahead` for a fast-forward, `diverged` after a force push. */
  status: 'ahead' | 'behind' | 'diverged' | 'identical';
  /** Commits reachable from head and not from base, oldest first. */
  commits: RangeCommit[];
  totalCommits: number;
  /** Why the list is incomplete; null when every commit was listed. */
  gap: string | null;
}

/**
 * The commits between `base` and `head` (`git log base..head`) from the
 * compare API, 100 a page. Without paging parameters GitHub lists at most 250
 * commits, so this always pages and checks the count against `total_commits`;
 * a shortfall is returned as `gap`, never as a shorter list passed off as
 * whole. A base or head GitHub does not know (e.g. force-pushed away) throws
 * `GitHubEvidenceError` (`not_found`).
 *
 * @example
 * const range = await listRangeCommits(octokit, { owner: 'acme', repo: 'api', base: before, head: after });
 * if (range.gap) recordError(range.gap);
 */
export async function listRangeCommits(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; base: string; head: string },
  options: { maxPages?: number } = {},
): Promise<CommitRange> {
  const maxPages = options.maxPages ?? 50;
  const what = `${ref.owner}/${ref.repo} ${ref.base.slice(0, 12)}...${ref.head.slice(0, 12)}`;
  const commits: RangeCommit[] = [];
  const seen = new Set<string>();
  let total = 0;
  let status: CommitRange['status'] = 'identical';
  let gap: string | null = null;

  for (let page = 1; ; page += 1) {
    let data;
    try {
      ({ data } = await octokit.request(ROUTES.compareCommits, { owner: ref.owner, repo: ref.repo, basehead: `${ref.base}...${ref.head}`, per_page: 100, page }));
    } catch (error) {
      const failure = toGitHubEvidenceError(error, `the commits of ${what}`);
      if (page === 1) throw failure;
      gap = `could not read past ${commits.length} of ${total} commits of ${what}: ${failure.message}`;
      break;
    }
    if (page === 1) {
      total = data.total_commits;
      status = data.status;
    } else if (data.total_commits !== total) {
      gap = `the range ${what} changed while it was read (${total} → ${data.total_commits} commits)`;
      break;
    }
    for (const commit of data.commits) {
      if (seen.has(commit.sha)) continue;
      seen.add(commit.sha);
      commits.push(mapRangeCommit(commit));
    }
    if (commits.length >= total || data.commits.length === 0) break;
    if (page >= maxPages) {
      gap = `${what} has ${total} commits; Changeproof reads at most ${maxPages * 100}`;
      break;
    }
  }
  if (gap === null && commits.length !== total) gap = `GitHub listed ${commits.length} of ${total} commits of ${what}`;
  return { base: ref.base, head: ref.head, status, commits, totalCommits: total, gap };
}

/**
 * One commit as the REST API reports it (`GET /repos/{owner}/{repo}/commits/{ref}`):
 * its parents, committer and whether GitHub verified its signature. Throws
 * `GitHubEvidenceError` when GitHub does not answer.
 */
export async function readCommit(octokit: GitHubClient, ref: { owner: string; repo: string; sha: string }): Promise<RangeCommit> {
  try {
    const { data } = await octokit.request(ROUTES.getCommit, { owner: ref.owner, repo: ref.repo, ref: ref.sha });
    return mapRangeCommit(data as RestCommit);
  } catch (error) {
    throw toGitHubEvidenceError(error, `${ref.owner}/${ref.repo} commit ${ref.sha.slice(0, 12)}`);
  }
}

interface RestCommit {
  sha: string;
  html_url?: string;
  parents: Array<{ sha: string }>;
  author: { login: string; type?: string } | null | Record<string, never>;
  committer: { login: string; type?: string } | null | Record<string, never>;
  commit: {
    message: string;
    author: { name?: string; email?: string; date?: string } | null;
    committer: { name?: string; email?: string; date?: string } | null;
    verification?: { verified?: boolean } | null;
  };
}

/**
 * Who made the commit, as far as GitHub shows (see `RangeNode.madeBy`): GitHub
 * when committed as `web-flow` and verified — GitHub checks a `web-flow`
 * commit's signature against GitHub's own key; anyone can write GitHub's name
 * as committer, only GitHub can sign as it.
 */
export function madeBy(commit: Pick<RangeCommit, 'committer' | 'verified'>): 'github' | 'github-name' | 'someone' {
  if (!isWebFlow(commit.committer)) return 'someone';
  return commit.verified ? 'github' : 'github-name';
}

function mapRangeCommit(commit: RestCommit): RangeCommit {
  return {
    sha: commit.sha,
    headline: commit.commit.message.split('\n')[0] ?? '',
    authoredAt: commit.commit.author?.date ? toIsoUtc(commit.commit.author.date) : null,
    committedAt: commit.commit.committer?.date ? toIsoUtc(commit.commit.committer.date) : null,
    author: person(commit.commit.author, commit.author),
    committer: person(commit.commit.committer, commit.committer),
    verified: commit.commit.verification?.verified === true,
    parents: commit.parents.map((p) => p.sha),
    url: commit.html_url ?? null,
  };
}

function person(git: { name?: string; email?: string } | null, account: { login?: string; type?: string } | null): CommitPerson {
  const types: Actor['type'][] = ['User', 'Bot', 'Organization', 'Mannequin'];
  const user: Actor | null = account?.login
    ? { login: account.login, type: types.includes(account.type as Actor['type']) ? (account.type as Actor['type']) : 'Unknown' }
    : null;
  return { name: git?.name ?? null, email: git?.email ?? null, user };
}
