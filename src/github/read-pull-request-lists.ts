import type { EvidenceGap } from '../core/facts.js';
import { ConnectionReader, readConnection } from './connection-reader.js';
import { toGitHubEvidenceError } from './errors.js';
import { COMMIT_AUTHORS_PAGE_QUERY, PULL_REQUEST_PAGE_QUERY } from './graphql/pull-request-pages.graphql.js';
import type { Connection, GqlCommit, GqlGitActor, GqlPullRequest, GqlReview, GqlTimelineItem, NodeData, PullRequestPageData } from './graphql/pull-request.types.js';
import type { GitHubClient } from './octokit.js';
import { runGraphql, runGraphqlComplete } from './run-graphql.js';

export interface PullRequestLists {
  /** Each commit with every one of its authors. */
  commits: Array<{ commit: GqlCommit; authors: GqlGitActor[] }>;
  reviews: GqlReview[];
  labels: string[];
  /** The timeline items read: head-ref force pushes, base changes, labels added and removed, oldest first. */
  timeline: GqlTimelineItem[];
  gaps: EvidenceGap[];
}

interface ListsRef {
  owner: string;
  name: string;
  number: number;
  what: string;
  maxPages: number;
}

/**
 * Completes the pull request's commits, reviews, labels and timeline (force pushes, base changes, labels added and removed) from the first
 * pages the main query returned. Each follow-up request pages every list that
 * still has more (so 250 commits and 120 reviews cost two follow-ups), then
 * each commit's co-authors beyond 100. A list that cannot be read completely
 * is a gap; what was read is kept for the record.
 *
 * @example
 * const lists = await readPullRequestLists(octokit, pr, { owner: 'acme', name: 'api', number: 7, what: 'acme/api#7', maxPages: 50 });
 */
export async function readPullRequestLists(octokit: GitHubClient, pr: GqlPullRequest, ref: ListsRef): Promise<PullRequestLists> {
  const readers = {
    commits: new ConnectionReader<{ commit: GqlCommit }>('commits', pr.commits, { maxPages: ref.maxPages, key: (n) => n.commit.oid }),
    reviews: new ConnectionReader<GqlReview>('reviews', pr.reviews, { maxPages: ref.maxPages, key: (r) => r.id }),
    labels: new ConnectionReader<{ name: string }>('labels', pr.labels, { maxPages: ref.maxPages, key: (l) => l.name }),
    timeline: new ConnectionReader<GqlTimelineItem>('timeline', pr.timeline, { maxPages: ref.maxPages, key: (e) => e.id ?? '' }),
  };
  type ListName = keyof typeof readers;
  const names = Object.keys(readers) as ListName[];

  while (names.some((n) => readers[n].wantsMore)) {
    const wanted = names.filter((n) => readers[n].wantsMore);
    const variables: Record<string, unknown> = { owner: ref.owner, name: ref.name, number: ref.number };
    for (const n of names) {
      variables[`with${n[0]!.toUpperCase()}${n.slice(1)}`] = wanted.includes(n);
      variables[`${n}After`] = wanted.includes(n) ? readers[n].after : null;
    }
    try {
      const { data, errors } = await runGraphql<PullRequestPageData>(octokit, PULL_REQUEST_PAGE_QUERY, variables, ref.what);
      const page = data.repository?.pullRequest;
      for (const n of wanted) {
        const failed = errors.filter((e) => e.path === undefined || e.path.length < 3 || e.path[2] === n);
        if (failed.length > 0) readers[n].fail(`GitHub reported an error paging ${n}: ${failed.map((e) => e.message).join('; ')}`);
        else readers[n].accept(page?.[n] as Connection<never> | null | undefined);
      }
    } catch (error) {
      const reason = toGitHubEvidenceError(error, ref.what).message;
      for (const n of wanted) readers[n].fail(`could not read more ${n}: ${reason}`);
    }
  }

  const gaps: EvidenceGap[] = [];
  for (const n of names) {
    const gap = readers[n].finish().gap;
    if (gap) gaps.push({ what: n === 'timeline' ? 'pushes' : n, reason: gap });
  }

  const commits: PullRequestLists['commits'] = [];
  for (const { commit } of readers.commits.items) {
    const authors = await readConnection<GqlGitActor>(
      `authors of commit ${commit.oid.slice(0, 7)}`,
      commit.authors,
      async (after) => {
        const data = await runGraphqlComplete<NodeData<{ authors?: Connection<GqlGitActor> }>>(octokit, COMMIT_AUTHORS_PAGE_QUERY, { id: commit.id, after }, ref.what);
        return data.node?.authors;
      },
      { maxPages: ref.maxPages, describeError: (error) => toGitHubEvidenceError(error, ref.what).message },
    );
    if (authors.gap) gaps.push({ what: 'commits', reason: authors.gap });
    const parents = commit.parents?.totalCount ?? 0;
    if (parents > (commit.parents?.nodes?.length ?? 0)) gaps.push({ what: 'commits', reason: `commit ${commit.oid.slice(0, 7)} has ${parents} parents; Changeproof reads at most 10` });
    commits.push({ commit, authors: authors.items });
  }

  return { commits, reviews: readers.reviews.items, labels: readers.labels.items.map((l) => l.name), timeline: readers.timeline.items, gaps };
}
