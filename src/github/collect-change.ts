import { POLICY_PATH } from '../config/parse-policy.js';
import type { ChangeFacts } from '../core/facts.js';
import { policyNeeds } from '../core/policy/needed-evidence.js';
import { collectPathEvidence } from './collect-pull-request-paths.js';
import { gatherPullRequest, type CollectPullRequestOptions, type PolicyBeforeMerge, type PullRequestRef } from './collect-pull-request.js';
import { loadPolicy, type PolicyLoad } from './load-policy.js';
import type { GitHubClient } from './octokit.js';
import type { PolicyCache } from './policy-cache.js';
import { prefetchedPolicyFileReader } from './prefetched-policy-files.js';
import type { PolicyFileReader } from './policy-file.js';
import { memoBaseBeforeMerge, type BaseCommit } from './read-base-before-merge.js';
import { restPolicyFileAt, restPolicyFileReader } from './read-policy-file.js';

/**
 * Everything one evaluation of a pull request needs, for the cost of one
 * GraphQL request: the pull request's {@link ChangeFacts} and its policy.
 * The query also reads `.github/changeproof.yml` (blob SHA and text) from the
 * default branch of the repository and of the owner's `.github` repository, so
 * the policy costs no request of its own. An `_extends` into a third
 * repository is read over REST the first time (conditional on its ETag) and
 * remembered, so later queries read it too. Parsed policy files are cached by
 * blob SHA, so an unchanged policy is not parsed again. A policy with path
 * rules or code owners also reads the changed files and the base branch's
 * CODEOWNERS (in the same query, once the app knows the policy needs them)
 * and the members of the teams it names (reused for a few minutes).
 *
 * Failure contract: as {@link collectPullRequest} (gaps for incomplete lists,
 * `GitHubEvidenceError` when nothing usable came back); a policy file that
 * cannot be read from GitHub also throws `GitHubEvidenceError`, while a broken
 * one is `policy: { ok: false, error: PolicyError }`.
 *
 * @example
 * const { facts, policy } = await collectChange(octokit, { owner: 'acme', repo: 'api', number: 7 }, { now, cache });
 * const verdict = policy.ok ? evaluate(policy.policy, facts, now()) : configError(policy.error);
 */
export async function collectChange(
  octokit: GitHubClient,
  ref: PullRequestRef,
  options: CollectPullRequestOptions & { cache: PolicyCache },
): Promise<{ facts: ChangeFacts; policy: PolicyLoad }> {
  const repository = `${ref.owner}/${ref.repo}`;
  const extendsTarget = options.cache.extendsTarget(repository);
  const pathNeeds = options.cache.pathNeeds(repository);
  const gathered = await gatherPullRequest(octokit, ref, { ...options, withPolicy: true, extendsTarget, paths: pathNeeds });
  const { policyFiles } = gathered;
  const rest = restPolicyFileReader(octokit, options.cache);
  // A file the query did not cover is an `_extends` into a third repository:
  // remember it, so the next evaluation's query reads it too.
  const read = prefetchedPolicyFileReader(policyFiles, (owner, repo, path) => {
    const ownOrOrg = owner.toLowerCase() === ref.owner.toLowerCase() && (repo.toLowerCase() === ref.repo.toLowerCase() || repo === '.github');
    if (!ownOrOrg) options.cache.rememberExtendsTarget(repository, { owner, repo, path });
    return rest(owner, repo, path);
  });
  // Once merged into the default branch, that branch holds the change itself: it is judged by the
  // policy in force just before the merge, never by one it brought (a pull request cannot weaken its
  // own policy). A merge into another branch left the default branch, and so the policy, as it was.
  const intoDefault = !!gathered.facts.merge?.mergeCommitSha && gathered.facts.baseRef === gathered.facts.repository.defaultBranch;
  const beforeMerge = memoBaseBeforeMerge(octokit, ref, gathered.facts, `${ref.owner}/${ref.repo}#${ref.number}`);
  const merged = intoDefault ? beforeMergeReader(octokit, gathered.facts, gathered.policyBeforeMerge, beforeMerge, read) : read;
  const policy = await loadPolicy(octokit, { owner: ref.owner, repo: ref.repo }, { cache: options.cache, read: merged });
  if (!policy.ok) return { facts: gathered.facts, policy };
  // Path rules and code owners need the changed files, CODEOWNERS and teams: read them with the
  // pull request next time (the policy rarely changes), and now whatever the query did not read.
  const needs = policyNeeds(policy.policy);
  if (needs.files !== pathNeeds.files || needs.codeOwners !== pathNeeds.codeOwners) {
    options.cache.rememberPathNeeds(repository, { files: needs.files, codeOwners: needs.codeOwners });
  }
  const facts = await collectPathEvidence(octokit, ref, gathered.facts, policy.policy, { now: options.now, teams: options.cache.teams, maxPages: options.maxPages, prefetched: gathered.paths, beforeMerge });
  return { facts, policy };
}

/**
 * Reads the repository's own policy files as the base branch had them just
 * before the merge — the only files a pull request can change: the main
 * policy file from the pull-request query when it read it there (a merge or a
 * squash), anything else over REST at that commit (found by
 * memoBaseBeforeMerge for a rebase, shared with the code owners). Other repositories' files (the
 * owner's `.github`, an `_extends` target elsewhere) are read as before.
 */
function beforeMergeReader(octokit: GitHubClient, facts: ChangeFacts, prefetched: PolicyBeforeMerge | null, beforeMerge: () => Promise<BaseCommit>, otherwise: PolicyFileReader): PolicyFileReader {
  const own = `${facts.repository.owner}/${facts.repository.name}`.toLowerCase();
  return async (owner, repo, path) => {
    if (`${owner}/${repo}`.toLowerCase() !== own) return otherwise(owner, repo, path);
    if (prefetched && path === POLICY_PATH) return prefetched.file;
    const base = prefetched ? prefetched.commitSha : (await beforeMerge()).oid;
    return restPolicyFileAt(octokit, { owner, repo, path, ref: base, branch: facts.baseRef });
  };
}
