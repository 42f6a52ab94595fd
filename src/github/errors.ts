/** Why evidence could not be read from GitHub. */
export type GitHubFailureKind =
  | 'not_found' // the repository or pull request does not exist, or the app cannot see it
  | 'unauthorized' // bad or expired token
  | 'forbidden' // the installation lacks a permission
  | 'rate_limited' // primary or secondary rate limit outlasted our retries
  | 'unavailable' // 5xx or network failure after retries
  | 'graphql_errors' // GraphQL answered with errors and no usable data
  | 'incomplete' // a list GitHub would not give completely
  | 'invalid_response'; // an answer that contradicts itself

/** One error of a GraphQL response (`errors[]`), as GitHub sends it. */
export interface GraphqlErrorEntry {
  message: string;
  type?: string;
  path?: ReadonlyArray<string | number>;
}

/**
 * Evidence could not be gathered at all. The caller records an evaluation
 * `error` with {@link GitHubEvidenceError.message} (never a pass), and may
 * retry later when {@link GitHubEvidenceError.retryable}.
 *
 * @example
 * try { await collectPullRequest(octokit, ref, { now }); }
 * catch (e) { if (e instanceof GitHubEvidenceError) recordError(e.kind, e.message); else throw e; }
 */
export class GitHubEvidenceError extends Error {
  override readonly name = 'GitHubEvidenceError';
  readonly kind: GitHubFailureKind;
  /** HTTP status of the failing response, when there was one. */
  readonly status: number | null;
  readonly graphqlErrors: GraphqlErrorEntry[];

  constructor(
    kind: GitHubFailureKind,
    message: string,
    options: { status?: number | null; cause?: unknown; graphqlErrors?: GraphqlErrorEntry[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status ?? null;
    this.graphqlErrors = options.graphqlErrors ?? [];
  }

  /** Whether trying again later may succeed (rate limits, outages). */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'graphql_errors';
  }
}

/**
 * Turns whatever Octokit threw into a {@link GitHubEvidenceError} that says
 * what could not be read and why, in words a check-run summary can show.
 *
 * @example
 * catch (e) { throw toGitHubEvidenceError(e, 'acme/api#7'); }
 */
export function toGitHubEvidenceError(error: unknown, what: string): GitHubEvidenceError {
  if (error instanceof GitHubEvidenceError) return error;
  const graphqlErrors = graphqlErrorsOf(error);
  if (graphqlErrors) return graphqlFailure(graphqlErrors, what, error);
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (status === null) {
    // The throttling plugin throws a bare "GraphQL Rate Limit Exceeded" once it stops retrying.
    if (/rate limit/i.test(detail)) {
      return new GitHubEvidenceError('rate_limited', `GitHub's rate limit stopped the request for ${what}: ${detail}; it is retried on the next event or re-run`, { cause: error });
    }
    return new GitHubEvidenceError('unavailable', `could not reach GitHub for ${what}: ${detail}`, { cause: error });
  }
  if (status === 404) {
    return new GitHubEvidenceError('not_found', `${what} was not found on GitHub, or the app is not installed on it (HTTP 404)`, { status, cause: error });
  }
  if (status === 401) {
    return new GitHubEvidenceError('unauthorized', `GitHub refused the credentials for ${what} (HTTP 401); check the app's private key and installation`, { status, cause: error });
  }
  if ((status === 403 || status === 429) && /rate limit/i.test(detail)) {
    return new GitHubEvidenceError('rate_limited', `GitHub's rate limit stopped the request for ${what} (HTTP ${status}): ${detail}; it is retried on the next event or re-run`, { status, cause: error });
  }
  if (status === 403) {
    return new GitHubEvidenceError('forbidden', `GitHub denied access to ${what} (HTTP 403): ${detail}; check the app's permissions`, { status, cause: error });
  }
  if (status >= 500) {
    return new GitHubEvidenceError('unavailable', `GitHub failed on ${what} (HTTP ${status}) after retries; re-run the check to try again`, { status, cause: error });
  }
  return new GitHubEvidenceError('invalid_response', `GitHub answered HTTP ${status} for ${what}: ${detail}`, { status, cause: error });
}

/**
 * GraphQL errors that left nothing usable, as one {@link GitHubEvidenceError}
 * whose kind follows GitHub's error `type`s.
 *
 * @example
 * graphqlFailure([{ type: 'NOT_FOUND', message: 'Could not resolve…' }], 'acme/api#7').kind // 'not_found'
 */
export function graphqlFailure(errors: GraphqlErrorEntry[], what: string, cause?: unknown): GitHubEvidenceError {
  const reasons = errors.map((e) => (e.type ? `${e.type}: ${e.message}` : e.message)).join('; ') || 'no data';
  const kind: GitHubFailureKind =
    errors.length > 0 && errors.every((e) => e.type === 'NOT_FOUND')
      ? 'not_found'
      : errors.some((e) => e.type === 'RATE_LIMITED')
        ? 'rate_limited'
        : errors.some((e) => e.type === 'FORBIDDEN')
          ? 'forbidden'
          : 'graphql_errors';
  return new GitHubEvidenceError(kind, `GitHub could not give ${what}: ${reasons}`, { cause, graphqlErrors: errors });
}

/** The HTTP status of an Octokit `RequestError` (duck-typed: Probot may bundle another copy). */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** The `errors[]` of an `@octokit/graphql` `GraphqlResponseError`, or null for any other error. */
export function graphqlErrorsOf(error: unknown): GraphqlErrorEntry[] | null {
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || (error as { name?: unknown }).name !== 'GraphqlResponseError') return null;
  return errors.map((e: { message?: unknown; type?: unknown; path?: unknown }) => ({
    message: typeof e.message === 'string' ? e.message : 'unknown error',
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    ...(Array.isArray(e.path) ? { path: e.path as (string | number)[] } : {}),
  }));
}

/** The `data` that came with GraphQL errors (partial success), or null. */
export function graphqlPartialDataOf<T>(error: unknown): T | null {
  if (graphqlErrorsOf(error) === null) return null;
  const data = (error as { data?: unknown }).data;
  return data && typeof data === 'object' ? (data as T) : null;
}
