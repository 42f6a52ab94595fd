import { POLICY_PATH } from '../config/parse-policy.js';
import type { ChangeFacts, EvidenceGap } from '../core/facts.js';
import { collectHeadChecks } from './collect-head-checks.js';
import { GitHubEvidenceError, graphqlFailure, toGitHubEvidenceError, type GraphqlErrorEntry } from './errors.js';
import { HEAD_COMMIT_QUERY } from './graphql/pull-request-pages.graphql.js';
import { PULL_REQUEST_QUERY } from './graphql/pull-request.graphql.js';
import type { GqlHeadChecks, GqlPullRequest, HeadCommitData, PullRequestQueryData } from './graphql/pull-request.types.js';
import { mapActor, mapBaseChange, mapCommit, mapForcePush, mapLabelEvent, mapReview, toIsoUtc } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { prefetchedPolicyFiles, toPolicyFile } from './prefetched-policy-files.js';
import { isRebaseMerge } from './read-base-before-merge.js';
import type { ExtendsTarget } from './parse-extends.js';
import type { PolicyFile } from './policy-file.js';
import type { PathNeeds } from './policy-cache.js';
import { readPullRequestLists } from './read-pull-request-lists.js';
import { runGraphql, runGraphqlComplete } from './run-graphql.js';

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

export interface CollectPullRequestOptions {
  /** The clock; `collectedAt` is when reading began. */
  now: () => Date;
  /** Pages read per list before giving up with a gap (100 items a page). Default 50. */
  maxPages?: number;
}

/**
 * Gathers a pull request's complete evidence as {@link ChangeFacts}: one
 * GraphQL request for a pull request of up to 100 commits, reviews, labels,
 * check suites, runs per suite and status contexts; one more per 100 beyond.
 *
 * Failure contract:
 * - **Incomplete evidence** — a list GitHub would not give completely (a
 *   partial GraphQL error, a failed follow-up page, counts that do not add
 *   up): the facts are returned with `gaps` saying what and why. The core
 *   turns any gap into the verdict `error`; nothing missing can read as a pass.
 * - **No evidence** — the repository or pull request cannot be read (not
 *   found, no permission, 5xx or rate limit after retries, GraphQL errors
 *   without data), or GitHub sent a value Changeproof does not know (say, a
 *   new check conclusion): throws {@link GitHubEvidenceError} with `kind` and
 *   a message fit for the check run. Record an evaluation `error`.
 * Anything else thrown is a bug.
 *
 * @example
 * const facts = await collectPullRequest(octokit, { owner: 'acme', repo: 'api', number: 7 }, { now: () => new Date() });
 * if (facts.gaps.length > 0) console.log(facts.gaps); // verdict will be `error`
 */
export async function collectPullRequest(octokit: GitHubClient, ref: PullRequestRef, options: CollectPullRequestOptions): Promise<ChangeFacts> {
  return (await gatherPullRequest(octokit, ref, { ...options, withPolicy: false })).facts;
}

/**
 * {@link collectPullRequest}, optionally reading the policy files in the same
 * request (`withPolicy`). Used by `collectChange`.
 */
export async function gatherPullRequest(
  octokit: GitHubClient,
  ref: PullRequestRef,
  options: CollectPullRequestOptions & { withPolicy: boolean; extendsTarget?: ExtendsTarget | null; paths?: PathNeeds },
): Promise<{ facts: ChangeFacts; policyFiles: Map<string, PolicyFile>; policyBeforeMerge: PolicyBeforeMerge | null; paths: Pick<GqlPullRequest, 'files' | 'changedFiles' | 'baseRef'> }> {
  const collectedAt = toIsoUtc(options.now().toISOString());
  const maxPages = options.maxPages ?? 50;
  const what = `${ref.owner}/${ref.repo}#${ref.number}`;
  const extendsTarget = options.withPolicy ? (options.extendsTarget ?? null) : null;
  const variables = {
    owner: ref.owner, name: ref.repo, number: ref.number, withPolicy: options.withPolicy, policyPath: POLICY_PATH,
    // Non-null variables must be sent even when their field is skipped.
    withExtends: extendsTarget !== null, extendsOwner: extendsTarget?.owner ?? '', extendsName: extendsTarget?.repo ?? '', extendsPath: extendsTarget?.path ?? '',
    withFiles: options.paths?.files ?? false, withCodeOwners: options.paths?.codeOwners ?? false,
  };

  // 1. One query: the pull request with the first 100 of every list (and the policy files).
  const { data, errors } = await runGraphql<PullRequestQueryData>(octokit, PULL_REQUEST_QUERY, variables, what);
  const repository = data.repository;
  const pr = repository?.pullRequest;
  if (!repository || !pr) throw notFound(what, errors);
  const gaps = gapsFromErrors(errors);

  // 2. Page the lists GitHub cut at 100.
  const listsRef = { owner: ref.owner, name: ref.repo, number: ref.number, what, maxPages };
  const lists = await readPullRequestLists(octokit, pr, listsRef);
  gaps.push(...lists.gaps);

  // 3. Checks and statuses on the head commit.
  const head = await readHeadCommit(octokit, pr, listsRef).catch((error: unknown) => toGitHubEvidenceError(error, what));
  const headChecks =
    head instanceof GitHubEvidenceError
      ? { checks: [], gaps: [{ what: 'checks' as const, reason: `could not read the head commit's checks: ${head.message}` }] }
      : head
        ? await collectHeadChecks(octokit, head, listsRef)
        : { checks: [], gaps: [{ what: 'checks' as const, reason: `GitHub did not return the head commit ${pr.headRefOid}` }] };
  gaps.push(...headChecks.gaps);

  const facts: ChangeFacts = {
    repository: { owner: repository.owner.login, name: repository.name, defaultBranch: repository.defaultBranchRef?.name ?? '' },
    number: pr.number,
    url: pr.url,
    title: pr.title,
    body: pr.body,
    author: mapActor(pr.author),
    state: pr.merged || pr.state === 'MERGED' ? 'merged' : pr.state === 'CLOSED' ? 'closed' : 'open',
    draft: pr.isDraft,
    baseRef: pr.baseRefName,
    headRef: pr.headRefName,
    headRepository: pr.headRepository?.nameWithOwner ?? null,
    baseSha: pr.baseRefOid,
    headSha: pr.headRefOid,
    labels: lists.labels,
    createdAt: toIsoUtc(pr.createdAt),
    merge: pr.merged && pr.mergedAt
      ? { mergedAt: toIsoUtc(pr.mergedAt), mergedBy: mapActor(pr.mergedBy), mergeCommitSha: pr.mergeCommit?.oid ?? null }
      : null,
    commits: lists.commits.map(({ commit, authors }) => mapCommit(commit, authors)),
    reviews: lists.reviews.map(mapReview),
    checks: headChecks.checks,
    pushes: lists.timeline.filter((e) => e.__typename === 'HeadRefForcePushedEvent').map(mapForcePush),
    baseChanges: lists.timeline.filter((e) => e.__typename === 'BaseRefChangedEvent').map(mapBaseChange),
    labelEvents: lists.timeline.filter((e) => e.__typename === 'LabeledEvent' || e.__typename === 'UnlabeledEvent').map(mapLabelEvent),
    collectedAt,
    gaps: dedupe(gaps),
  };
  const policyFiles = options.withPolicy ? prefetchedPolicyFiles(data, errors, ref.owner, ref.repo, POLICY_PATH, extendsTarget) : new Map<string, PolicyFile>();
  // What the query read for path rules and code owners (absent when not asked for); see collectPathEvidence.
  const paths: Pick<GqlPullRequest, 'files' | 'changedFiles' | 'baseRef'> = {};
  if (variables.withFiles) {
    paths.files = pr.files ?? null;
    if (pr.changedFiles !== undefined) paths.changedFiles = pr.changedFiles;
  }
  if (variables.withCodeOwners) paths.baseRef = pr.baseRef ?? null;
  return { facts, policyFiles, policyBeforeMerge: options.withPolicy ? policyBeforeMerge(pr, facts, errors, `${ref.owner}/${ref.repo}`) : null, paths };
}

/** The repository's own policy file as the base branch had it just before the merge, read by the pull-request query. */
export interface PolicyBeforeMerge {
  /** The base branch's head just before the merge. */
  commitSha: string;
  file: PolicyFile;
}

/**
 * For a merge or a squash, the merge commit's first parent is the base branch
 * just before the merge, and the query read the policy file there; null for
 * a pull request not merged, for a rebase merge (its first parent holds the
 * change's own earlier commits: the base is read apart) and when GitHub did not answer.
 */
function policyBeforeMerge(pr: GqlPullRequest, facts: ChangeFacts, errors: GraphqlErrorEntry[], repository: string): PolicyBeforeMerge | null {
  const merge = pr.mergeCommit;
  const parent = merge?.parents?.nodes?.[0];
  if (!facts.merge || !merge || !parent || isRebaseMerge(facts, merge)) return null;
  if (errors.some((e) => e.path?.includes('mergeCommit'))) return null;
  return { commitSha: parent.oid, file: toPolicyFile(repository, POLICY_PATH, facts.baseRef, parent) };
}

/** The head commit's checks: from the last listed commit when it is the head, else asked for by SHA. */
async function readHeadCommit(
  octokit: GitHubClient,
  pr: GqlPullRequest,
  ref: { owner: string; name: string; what: string },
): Promise<GqlHeadChecks | null> {
  const last = pr.headCommit?.nodes?.at(-1)?.commit;
  if (last && last.oid === pr.headRefOid) return last;
  const data = await runGraphqlComplete<HeadCommitData>(octokit, HEAD_COMMIT_QUERY, { owner: ref.owner, name: ref.name, oid: pr.headRefOid }, ref.what);
  const object = data.repository?.object;
  return object && 'oid' in object ? (object as GqlHeadChecks) : null;
}

function notFound(what: string, errors: GraphqlErrorEntry[]): GitHubEvidenceError {
  return errors.length > 0 ? graphqlFailure(errors, what) : new GitHubEvidenceError('not_found', `GitHub could not give ${what}: no such pull request`);
}

/** Partial errors of the main query, as gaps of the area they hit (policy-file errors are handled by the policy loader). */
function gapsFromErrors(errors: GraphqlErrorEntry[]): EvidenceGap[] {
  return errors
    .filter((e) => e.path?.[0] !== 'orgPolicy' && e.path?.[0] !== 'extendsPolicy' && !(e.path?.[0] === 'repository' && e.path[1] === 'defaultBranchRef'))
    .map((e) => {
      const path = e.path ?? [];
      const what: EvidenceGap['what'] = path.includes('headCommit')
        ? 'checks'
        : path.includes('files')
          ? 'files'
          : path.includes('baseRef')
            ? 'code_owners'
        : path.includes('commits')
          ? 'commits'
          : path.includes('reviews')
            ? 'reviews'
            : path.includes('labels')
              ? 'labels'
              : 'pull_request';
      const where = path.length > 0 ? ` at ${path.join('.')}` : '';
      return { what, reason: `GitHub reported an error${where}: ${e.type ? `${e.type}: ` : ''}${e.message}` };
    });
}

function dedupe(gaps: EvidenceGap[]): EvidenceGap[] {
  const seen = new Set<string>();
  return gaps.filter((g) => {
    const key = `${g.what}\u0000${g.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
