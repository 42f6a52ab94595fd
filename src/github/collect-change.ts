import type { ChangeFacts } from '../core/facts.js';
import { gatherPullRequest, type CollectPullRequestOptions, type PullRequestRef } from './collect-pull-request.js';
import { loadPolicy, type PolicyLoad } from './load-policy.js';
import type { GitHubClient } from './octokit.js';
import type { PolicyCache } from './policy-cache.js';
import { prefetchedPolicyFileReader } from './prefetched-policy-files.js';
import { restPolicyFileReader } from './read-policy-file.js';

/**
 * Everything one evaluation of a pull request needs, for the cost of one
 * GraphQL request: the pull request's {@link ChangeFacts} and its policy.
 * The query also reads `.github/changeproof.yml` (blob SHA and text) from the
 * default branch of the repository and of the owner's `.github` repository, so
 * the policy costs no request of its own. An `_extends` into a third
 * repository is read over REST the first time (conditional on its ETag) and
 * remembered, so later queries read it too. Parsed policy files are cached by
 * blob SHA, so an unchanged policy is not parsed again.
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
  const { facts, policyFiles } = await gatherPullRequest(octokit, ref, { ...options, withPolicy: true, extendsTarget });
  const rest = restPolicyFileReader(octokit, options.cache);
  // A file the query did not cover is an `_extends` into a third repository:
  // remember it, so the next evaluation's query reads it too.
  const read = prefetchedPolicyFileReader(policyFiles, (owner, repo, path) => {
    const ownOrOrg = owner.toLowerCase() === ref.owner.toLowerCase() && (repo.toLowerCase() === ref.repo.toLowerCase() || repo === '.github');
    if (!ownOrOrg) options.cache.rememberExtendsTarget(repository, { owner, repo, path });
    return rest(owner, repo, path);
  });
  const policy = await loadPolicy(octokit, { owner: ref.owner, repo: ref.repo }, { cache: options.cache, read });
  return { facts, policy };
}
