/** Where the GitHub APIs live: github.com, GitHub Enterprise Server, or the test simulator. */
export interface GitHubHost {
  /** REST base URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** GraphQL endpoint, e.g. `https://api.github.com/graphql` or `https://ghe.example.com/api/graphql`. */
  graphqlUrl: string;
  /** Web URL for links in messages, e.g. `https://github.com`. */
  webUrl: string;
}

/** The subset of the environment this module reads. */
export interface GitHubHostEnv {
  GHE_HOST?: string | undefined;
  GHE_PROTOCOL?: string | undefined;
  GITHUB_API_URL?: string | undefined;
  GITHUB_GRAPHQL_URL?: string | undefined;
  GITHUB_SERVER_URL?: string | undefined;
}

/**
 * Resolves the API host the same way Probot does: `GHE_HOST` (+ `GHE_PROTOCOL`,
 * default `https`) means GitHub Enterprise Server, whose REST API is served at
 * `/api/v3` and GraphQL at `/api/graphql`. Without it, a GitHub Actions runner's
 * `GITHUB_API_URL` / `GITHUB_GRAPHQL_URL` are honoured (so the Action works on
 * GHES and GHE.com), and otherwise github.com.
 *
 * Throws a plain-language error for a `GHE_HOST` that carries a scheme or path,
 * the commonest mistake (Probot expects a bare host name).
 *
 * @example
 * resolveGitHubHost({ GHE_HOST: 'ghe.example.com' }).apiUrl // 'https://ghe.example.com/api/v3'
 */
export function resolveGitHubHost(env: GitHubHostEnv = process.env): GitHubHost {
  const host = env.GHE_HOST?.trim();
  if (host) {
    if (/[/\s]/.test(host)) {
      throw new Error(
        `GHE_HOST must be a bare host name such as ghe.example.com (optionally with :port), not "${host}"; put the scheme in GHE_PROTOCOL`,
      );
    }
    const protocol = (env.GHE_PROTOCOL?.trim() || 'https').replace(/:$/, '');
    if (protocol !== 'https' && protocol !== 'http') {
      throw new Error(`GHE_PROTOCOL must be https or http, not "${protocol}"`);
    }
    const web = `${protocol}://${host}`;
    return { apiUrl: `${web}/api/v3`, graphqlUrl: `${web}/api/graphql`, webUrl: web };
  }
  const apiUrl = stripSlash(env.GITHUB_API_URL?.trim() || 'https://api.github.com');
  const graphqlUrl = stripSlash(env.GITHUB_GRAPHQL_URL?.trim() || defaultGraphqlUrl(apiUrl));
  const webUrl = stripSlash(env.GITHUB_SERVER_URL?.trim() || 'https://github.com');
  return { apiUrl, graphqlUrl, webUrl };
}

function defaultGraphqlUrl(apiUrl: string): string {
  // @octokit/graphql derives `/api/graphql` from a `/api/v3` base URL and `/graphql` otherwise.
  return /\/api\/v3$/.test(apiUrl) ? apiUrl.replace(/\/api\/v3$/, '/api/graphql') : `${apiUrl}/graphql`;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
