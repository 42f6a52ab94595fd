import type { GraphqlErrorEntry } from './errors.js';
import type { GqlPolicyFile, PullRequestQueryData } from './graphql/pull-request.types.js';
import { policyFileName, type PolicyFile, type PolicyFileReader } from './policy-file.js';

/**
 * The policy files the pull-request query read on the side (the repository's
 * and the owner's `.github` repository's, from their default branches), by
 * `owner/repo:path`. A repository the query could not read is left out, so a
 * reader falls back to REST for it.
 *
 * @example
 * const files = prefetchedPolicyFiles(data, errors, 'acme', 'api', '.github/changeproof.yml');
 */
export function prefetchedPolicyFiles(
  data: PullRequestQueryData,
  errors: GraphqlErrorEntry[],
  owner: string,
  repo: string,
  path: string,
): Map<string, PolicyFile> {
  const files = new Map<string, PolicyFile>();
  const own = data.repository?.defaultBranchRef;
  const ownErrors = errors.filter((e) => e.path?.[0] === 'repository' && e.path[1] === 'defaultBranchRef');
  if (own?.target && ownErrors.length === 0) files.set(policyFileName(`${owner}/${repo}`, path), toPolicyFile(`${owner}/${repo}`, path, own.name, own.target));

  const orgRepository = `${owner}/.github`;
  const orgErrors = errors.filter((e) => e.path?.[0] === 'orgPolicy');
  const org = data.orgPolicy;
  if (org?.defaultBranchRef?.target && orgErrors.length === 0) {
    files.set(policyFileName(orgRepository, path), toPolicyFile(orgRepository, path, org.defaultBranchRef.name, org.defaultBranchRef.target));
  } else if (org === null && orgErrors.length > 0 && orgErrors.every((e) => e.type === 'NOT_FOUND')) {
    // GitHub answers NOT_FOUND both for no `.github` repository and for one the
    // installation cannot see; Probot treats both as "no organisation file".
    files.set(policyFileName(orgRepository, path), { found: false, repository: orgRepository, path });
  }
  return files;
}

function toPolicyFile(repository: string, path: string, ref: string, target: { oid: string; policyFile?: GqlPolicyFile | null }): PolicyFile {
  const entry = target.policyFile;
  if (!entry) return { found: false, repository, path };
  // A directory or submodule at the path is "found" with no text: the loader reports it as unusable.
  const blob = entry.object?.__typename === 'Blob' ? entry.object : null;
  const text = !blob || blob.isTruncated || blob.isBinary || typeof blob.text !== 'string' ? null : blob.text;
  return { found: true, repository, path, text, blobSha: entry.oid, ref, commitSha: target.oid };
}

/**
 * A reader that answers from `files` and asks `fallback` for anything else
 * (an `_extends` target in a third repository).
 *
 * @example
 * const read = prefetchedPolicyFileReader(files, restPolicyFileReader(octokit, cache));
 */
export function prefetchedPolicyFileReader(files: Map<string, PolicyFile>, fallback: PolicyFileReader): PolicyFileReader {
  return async (owner, repo, path) => files.get(policyFileName(`${owner}/${repo}`, path)) ?? fallback(owner, repo, path);
}
