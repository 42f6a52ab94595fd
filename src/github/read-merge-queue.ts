import type { QueueEntry } from '../core/merge-group.js';
import { GitHubEvidenceError } from './errors.js';
import { MERGE_QUEUE_QUERY, type MergeQueueQueryData } from './graphql/merge-queue.graphql.js';
import { mapActor, toIsoUtc } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { runGraphqlComplete } from './run-graphql.js';

/** A branch's merge queue as GitHub lists it. */
export interface MergeQueueView {
  url: string;
  /** `MERGE`, `SQUASH` or `REBASE`; null when GitHub does not say. */
  mergeMethod: string | null;
  /** Every entry, in queue order. */
  entries: QueueEntry[];
}

/**
 * Reads the merge queue of `branch` (GraphQL `Repository.mergeQueue`): one
 * request for up to 100 entries, one more per 100 beyond. Returns `null` when
 * GitHub has no queue for the branch.
 *
 * Failure contract: the queue is read whole or not at all — any GraphQL error
 * (a missing "Merge queues" permission answers `FORBIDDEN`), a failed page, or
 * counts that do not add up throws {@link GitHubEvidenceError}. A partial list
 * could leave out a pull request that rides in the group.
 *
 * @example
 * const queue = await readMergeQueue(octokit, { owner: 'acme', repo: 'api', branch: 'main' });
 * queue?.entries.map((e) => e.number); // [12, 15]
 */
export async function readMergeQueue(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; branch: string },
  options: { maxPages?: number } = {},
): Promise<MergeQueueView | null> {
  const maxPages = options.maxPages ?? 5;
  const what = `the merge queue of ${ref.owner}/${ref.repo}:${ref.branch}`;
  const entries: QueueEntry[] = [];
  let after: string | null = null;
  for (let page = 1; ; page += 1) {
    const data: MergeQueueQueryData = await runGraphqlComplete<MergeQueueQueryData>(octokit, MERGE_QUEUE_QUERY, { owner: ref.owner, name: ref.repo, branch: ref.branch, after }, what);
    if (!data.repository) throw new GitHubEvidenceError('not_found', `GitHub could not give ${what}: no such repository`);
    const queue = data.repository.mergeQueue;
    if (!queue) {
      if (page === 1) return null;
      throw new GitHubEvidenceError('invalid_response', `${what} disappeared while it was read`);
    }
    const connection = queue.entries;
    if (!connection) throw new GitHubEvidenceError('incomplete', `GitHub did not list the entries of ${what}`);
    for (const node of connection.nodes ?? []) {
      if (!node) throw new GitHubEvidenceError('incomplete', `GitHub left out an entry of ${what}`);
      entries.push({
        position: node.position,
        state: node.state,
        number: node.pullRequest?.number ?? null,
        url: node.pullRequest?.url ?? null,
        pullRequestHead: node.pullRequest?.headRefOid ?? null,
        groupHeadSha: node.headCommit?.oid ?? null,
        enqueuer: mapActor(node.enqueuer)?.login ?? null,
        enqueuedAt: node.enqueuedAt ? toIsoUtc(node.enqueuedAt) : null,
      });
    }
    if (!connection.pageInfo.hasNextPage) {
      if (entries.length !== connection.totalCount) {
        throw new GitHubEvidenceError('incomplete', `GitHub listed ${entries.length} of the ${connection.totalCount} entries of ${what}`);
      }
      return { url: queue.url, mergeMethod: queue.configuration?.mergeMethod ?? null, entries };
    }
    if (page >= maxPages) throw new GitHubEvidenceError('incomplete', `${what} has ${connection.totalCount} entries; Changeproof reads at most ${maxPages * 100}`);
    after = connection.pageInfo.endCursor;
  }
}
