import type { GraphqlErrorEntry } from './errors.js';
import type { GqlPolicyFile, GqlPolicyRepository, PullRequestQueryData } from './graphql/pull-request.types.js';
import type { ExtendsTarget } from './parse-extends.js';
import { policyFileName, type PolicyFile, type PolicyFileReader } from './policy-file.js';

/**
 * The policy files the pull-request query read on the side (the repository's,
 * the owner's `.github` repository's and a known `_extends` target's, from
 * their default branches), by `owner/repo:path`. A repository the query could not read is left out, so a
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
  extendsTarget: ExtendsTarget | null = null,
): Map<string, PolicyFile> {
  const files = new Map<string, PolicyFile>();
  const own = data.repository?.defaultBranchRef;
  const ownErrors = errors.filter((e) => e.path?.[0] === 'repository' && e.path[1] === 'defaultBranchRef');
  if (own?.target && ownErrors.length === 0) files.set(policyFileName(`${owner}/${repo}`, path), toPolicyFile(`${owner}/${repo}`, path, own.name, own.target));

  addRepository(files, data.orgPolicy, errors, 'orgPolicy', `${owner}/.github`, path);
  if (extendsTarget) addRepository(files, data.extendsPolicy, errors, 'extendsPolicy', `${extendsTarget.owner}/${extendsTarget.repo}`, extendsTarget.path);
  return files;
}

function addRepository(
  files: Map<string, PolicyFile>,
  result: GqlPolicyRepository | null | undefined,
  errors: GraphqlErrorEntry[],
  alias: string,
  repository: string,
  path: string,
): void {
  const aliasErrors = errors.filter((e) => e.path?.[0] === alias);
  if (result?.defaultBranchRef?.target && aliasErrors.length === 0) {
    files.set(policyFileName(repository, path), toPolicyFile(repository, path, result.defaultBranchRef.name, result.defaultBranchRef.target));
  } else if (result === null && aliasErrors.length > 0 && aliasErrors.every((e) => e.type === 'NOT_FOUND')) {
    // GitHub answers NOT_FOUND both for a missing repository and for one the
    // installation cannot see; Probot treats both as "no file there".
    files.set(policyFileName(repository, path), { found: false, repository, path });
  }
  // Anything else is left out, so the loader reads that file over REST (and fails loudly if it must).
}

export function toPolicyFile(repository: string, path: string, ref: string, target: { oid: string; policyFile?: GqlPolicyFile | null }): PolicyFile {
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
