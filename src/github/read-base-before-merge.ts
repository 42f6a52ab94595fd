import type { ChangeFacts } from '../core/facts.js';
import { toGitHubEvidenceError } from './errors.js';
import { CODE_OWNERS_AT_QUERY } from './graphql/pull-request-paths.graphql.js';
import type { CodeOwnersAtData } from './graphql/pull-request.types.js';
import type { GitHubClient } from './octokit.js';
import { runGraphqlComplete } from './run-graphql.js';

/**
 * The base branch's head just before `mergeSha` merged the pull request: the
 * merge commit's first parent for a merge or a squash; for a rebase (the
 * merge commit is the last rebased copy, with the head's author date and
 * message) the commit as many first parents back as the pull request had
 * commits. Once merged, the base branch holds the change itself, so the
 * owners and diffs of the change are read against this commit instead.
 */
export async function baseBeforeMerge(octokit: GitHubClient, ref: { owner: string; repo: string }, facts: ChangeFacts, mergeSha: string, what: string): Promise<BaseCommit> {
  const merge = (await codeOwnersAt(octokit, ref, mergeSha, what)).repository?.object;
  if (!merge) throw new Error(`GitHub did not return the merge commit ${mergeSha.slice(0, 7)}`);
  const expression = isRebaseMerge(facts, merge) ? `${mergeSha}~${facts.commits.filter((c) => c.parents.length < 2).length}` : `${mergeSha}^1`;
  const base = (await codeOwnersAt(octokit, ref, expression, what)).repository?.object;
  if (!base) throw new Error(`GitHub did not return ${expression}, the base branch before the merge`);
  return base;
}

/**
 * Whether the merge commit is the last rebased copy of the head (a rebase
 * merge): one parent, and the head's message and author date. A merge or a
 * squash has the base branch before the merge as its first parent.
 */
export function isRebaseMerge(facts: ChangeFacts, merge: { parents?: { totalCount: number } | null; messageHeadline?: string; authoredDate?: string }): boolean {
  const head = facts.commits.find((c) => c.sha === facts.headSha);
  return (merge.parents?.totalCount ?? 0) < 2 && !!head && head.headline === merge.messageHeadline && !!head.authoredAt && !!merge.authoredDate && Date.parse(head.authoredAt) === Date.parse(merge.authoredDate);
}

/** The commit, with the CODEOWNERS files at it. */
export type BaseCommit = NonNullable<NonNullable<CodeOwnersAtData['repository']>['object']>;

/** {@link baseBeforeMerge}, asked once per collection (owners and diffs both need it). */
export function memoBaseBeforeMerge(octokit: GitHubClient, ref: { owner: string; repo: string }, facts: ChangeFacts, what: string): () => Promise<BaseCommit> {
  let memo: Promise<BaseCommit> | null = null;
  return () => (memo ??= baseBeforeMerge(octokit, ref, facts, facts.merge!.mergeCommitSha!, what));
}

/** A commit by revision expression, with its CODEOWNERS files. */
export function codeOwnersAt(octokit: GitHubClient, ref: { owner: string; repo: string }, expression: string, what: string): Promise<CodeOwnersAtData> {
  return runGraphqlComplete<CodeOwnersAtData>(octokit, CODE_OWNERS_AT_QUERY, { owner: ref.owner, name: ref.repo, expression }, what);
}

/** A failure's message: ours as it is, GitHub's in the form the check run shows. */
export function describeFailure(error: unknown, what: string): string {
  return error instanceof Error && !('status' in error) && !('errors' in error) ? error.message : toGitHubEvidenceError(error, what).message;
}
