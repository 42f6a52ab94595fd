/** A GraphQL error as GitHub reports it, with its top-level `type` (`NOT_FOUND`, `FORBIDDEN`, …). */
export class GitHubGraphqlError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}
