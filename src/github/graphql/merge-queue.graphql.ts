import { PAGE_INFO } from './fragments.js';
import type { GqlActor, PageInfo } from './pull-request.types.js';

/**
 * The merge queue of a branch and its entries, in queue order: each entry's
 * position, state, who queued it and when, its merge group commit
 * (`headCommit`) and its pull request. One request for up to 100 entries
 * (GitHub's page limit); `$after` pages further. GitHub answers `null` for a
 * branch without a queue.
 *
 * Reading it needs the app's "Merge queues" (read) permission, the same one
 * that delivers `merge_group` events.
 */
export const MERGE_QUEUE_QUERY = /* GraphQL */ `
query ChangeproofMergeQueue($owner: String!, $name: String!, $branch: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: $branch) {
      url
      configuration { mergeMethod }
      entries(first: 100, after: $after) {
        totalCount
        pageInfo { ...PageInfoFields }
        nodes {
          position
          state
          enqueuedAt
          enqueuer { __typename login }
          headCommit { oid }
          pullRequest { number url headRefOid }
        }
      }
    }
  }
}
${PAGE_INFO}`;

export interface GqlMergeQueueEntry {
  position: number;
  state: string;
  enqueuedAt: string;
  enqueuer: GqlActor | null;
  headCommit: { oid: string } | null;
  pullRequest: { number: number; url: string; headRefOid: string } | null;
}

export interface MergeQueueQueryData {
  repository: {
    mergeQueue: {
      url: string;
      configuration: { mergeMethod: string | null } | null;
      entries: { totalCount: number; pageInfo: PageInfo; nodes: Array<GqlMergeQueueEntry | null> | null } | null;
    } | null;
  } | null;
}
