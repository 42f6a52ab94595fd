import { GitHubEvidenceError, statusOf, toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import type { PolicyCache } from './policy-cache.js';
import { ROUTES } from './routes.js';
import { policyFileName, type PolicyFile, type PolicyFileReader } from './policy-file.js';

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
