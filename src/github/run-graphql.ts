import { graphqlErrorsOf, graphqlFailure, graphqlPartialDataOf, toGitHubEvidenceError, type GraphqlErrorEntry } from './errors.js';
import type { GitHubClient } from './octokit.js';

/** A GraphQL answer: the data, and the errors GitHub sent alongside it (partial success). */
export interface GraphqlResult<T> {
  data: T;
  errors: GraphqlErrorEntry[];
}

/**
 * Sends one GraphQL document. GitHub may answer `200` with `errors` next to
 * partial `data` (https://spec.graphql.org/October2021/#sec-Errors); those are
 * returned, not thrown, so the caller can mark exactly what is missing. A
 * response with no data, or a request that failed after retries, throws a
 * {@link GitHubEvidenceError}.
 *
 * @example
 * const { data, errors } = await runGraphql<MyData>(octokit, QUERY, { owner, name }, 'acme/api#7');
 */
export async function runGraphql<T>(
  octokit: GitHubClient,
  query: string,
  variables: Record<string, unknown>,
  what: string,
): Promise<GraphqlResult<T>> {
  try {
    return { data: await octokit.graphql<T>(query, variables), errors: [] };
  } catch (error) {
    const errors = graphqlErrorsOf(error);
    const data = graphqlPartialDataOf<T>(error);
    if (errors && data) return { data, errors };
    throw toGitHubEvidenceError(error, what);
  }
}

/**
 * Like {@link runGraphql}, for follow-up pages where any error makes the page
 * useless: errors alongside data throw a {@link GitHubEvidenceError} too.
 *
 * @example
 * const data = await runGraphqlComplete<PageData>(octokit, PAGE_QUERY, { id, after }, 'acme/api#7');
 */
export async function runGraphqlComplete<T>(
  octokit: GitHubClient,
  query: string,
  variables: Record<string, unknown>,
  what: string,
): Promise<T> {
  const { data, errors } = await runGraphql<T>(octokit, query, variables, what);
  if (errors.length > 0) throw graphqlFailure(errors, what);
  return data;
}
