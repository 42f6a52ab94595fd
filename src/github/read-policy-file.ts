import { GitHubEvidenceError, statusOf, toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import type { PolicyCache } from './policy-cache.js';
import { ROUTES } from './routes.js';
import { policyFileName, type PolicyFile, type PolicyFileReader } from './policy-file.js';

/**
 * A policy file as it was at one commit (`ref`: a SHA), over the REST contents
 * API, uncached: the policy in force just before a merge is read this way
 * when the pull-request query could not (a rebase merge, an `_extends` file
 * of the repository itself). `branch` names the branch the commit was on.
 */
export async function restPolicyFileAt(octokit: GitHubClient, file: { owner: string; repo: string; path: string; ref: string; branch: string }): Promise<PolicyFile> {
  const repository = `${file.owner}/${file.repo}`;
  const key = `${policyFileName(repository, file.path)}@${file.ref}`;
  let data;
  try {
    ({ data } = await octokit.request(ROUTES.getContent, { owner: file.owner, repo: file.repo, path: file.path, ref: file.ref }));
  } catch (error) {
    if (statusOf(error) === 404) return { found: false, repository, path: file.path };
    throw toGitHubEvidenceError(error, key);
  }
  if (Array.isArray(data) || data.type !== 'file') {
    throw new GitHubEvidenceError('invalid_response', `${key} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`);
  }
  const text = data.encoding === 'base64' && typeof data.content === 'string' ? Buffer.from(data.content, 'base64').toString('utf8') : null;
  return { found: true, repository, path: file.path, text, blobSha: data.sha, ref: file.branch, commitSha: file.ref };
}

/**
 * A {@link PolicyFileReader} over the REST contents API. Without `ref`, GitHub
 * serves the default branch, which is the only place a policy is read from (a
 * pull request must not be able to weaken its own policy). Reads are
 * conditional on the cached ETag: an unchanged file comes back `304` with no
 * body and no rate-limit cost, and the cached content is used.
 *
 * @example
 * const read = restPolicyFileReader(octokit, cache);
 * const file = await read('acme', 'api', '.github/changeproof.yml');
 */
export function restPolicyFileReader(octokit: GitHubClient, cache: PolicyCache): PolicyFileReader {
  return async (owner, repo, path) => {
    const repository = `${owner}/${repo}`;
    const key = policyFileName(repository, path);
    const cached = cache.content(key);
    let response;
    try {
      response = await octokit.request(ROUTES.getContent, {
        owner,
        repo,
        path,
        headers: cached ? { 'if-none-match': cached.etag } : {},
      });
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 && cached) return cached.file;
      if (status === 404) {
        cache.forgetContent(key);
        return { found: false, repository, path };
      }
      throw toGitHubEvidenceError(error, key);
    }
    const data = response.data;
    if (Array.isArray(data) || data.type !== 'file') {
      const kind = Array.isArray(data) ? 'directory' : data.type;
      throw new GitHubEvidenceError('invalid_response', `${key} is a ${kind}, not a file`);
    }
    // GitHub serves files up to 1 MB inline (base64); larger ones come with `encoding: none`.
    const text = data.encoding === 'base64' && typeof data.content === 'string' ? Buffer.from(data.content, 'base64').toString('utf8') : null;
    const file: PolicyFile & { found: true } = { found: true, repository, path, text, blobSha: data.sha, ref: null, commitSha: null };
    const etag = response.headers.etag;
    if (etag) cache.rememberContent(key, etag, file);
    return file;
  };
}
