import { COMMIT_AUTHORS_BATCH, COMMIT_AUTHORS_QUERY } from './graphql/commit-authors.graphql.js';
import { COMMIT_AUTHORS_PAGE_QUERY } from './graphql/pull-request-pages.graphql.js';
import type { Connection, GqlGitActor } from './graphql/pull-request.types.js';
import { GitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { runGraphqlComplete } from './run-graphql.js';

type AuthorsNode = {
  oid: string;
  id?: string;
  authors?: Connection<GqlGitActor>;
  committer?: GqlGitActor | null;
  signature?: { isValid: boolean; signer: { login: string } | null } | null;
} | null;

/**
 * The accounts GitHub links to the authors and co-authors (`Co-authored-by:`
 * trailers) of each commit — what the REST API, which gives only the first
 * author, does not say — with its committer and the signer of a signature
 * GitHub verified, each by the login the account has now. One GraphQL request per {@link COMMIT_AUTHORS_BATCH}
 * commits. A commit GitHub does not find, or whose authors cannot all be read,
 * throws {@link GitHubEvidenceError}: a co-author must never be missed
 * silently. Authors linked to no account are left out (no login to match).
 *
 * @example const logins = await readCommitAuthors(octokit, { owner: 'acme', repo: 'api' }, push.commits.map((c) => c.sha));
 */
export async function readCommitAuthors(octokit: GitHubClient, ref: { owner: string; repo: string }, shas: readonly string[]): Promise<string[]> {
  const what = `the authors of ${ref.owner}/${ref.repo}'s pushed commits`;
  const logins = new Set<string>();
  const take = (nodes: readonly (GqlGitActor | null)[] | null) => {
    for (const a of nodes ?? []) if (a?.user?.login) logins.add(a.user.login);
  };
  for (let start = 0; start < shas.length; start += COMMIT_AUTHORS_BATCH) {
    const batch = shas.slice(start, start + COMMIT_AUTHORS_BATCH);
    const oids = Object.fromEntries(Array.from({ length: COMMIT_AUTHORS_BATCH }, (_, i) => [`o${i}`, batch[Math.min(i, batch.length - 1)]]));
    const data = await runGraphqlComplete<{ repository: Record<string, AuthorsNode> | null }>(octokit, COMMIT_AUTHORS_QUERY, { owner: ref.owner, name: ref.repo, ...oids }, what);
    for (const [i, sha] of batch.entries()) {
      const node = data.repository?.[`c${i}`];
      if (!node?.authors || !node.id) throw new GitHubEvidenceError('not_found', `GitHub did not find commit ${sha} of ${ref.owner}/${ref.repo}, so who co-authored it cannot be established`);
      take(node.authors.nodes);
      take([node.committer ?? null]);
      if (node.signature?.isValid && node.signature.signer?.login) logins.add(node.signature.signer.login);
      let page = node.authors;
      while (page.pageInfo.hasNextPage) {
        const more = await runGraphqlComplete<{ node: { authors?: Connection<GqlGitActor> } | null }>(octokit, COMMIT_AUTHORS_PAGE_QUERY, { id: node.id, after: page.pageInfo.endCursor }, what);
        if (!more.node?.authors) throw new GitHubEvidenceError('not_found', `GitHub stopped listing the authors of commit ${sha}`);
        page = more.node.authors;
        take(page.nodes);
      }
    }
  }
  return [...logins];
}
