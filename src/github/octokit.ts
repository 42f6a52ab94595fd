import { Octokit, type OctokitOptions } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { useMicrotaskYieldsInBottleneck } from './fast-bottleneck.js';
import { resolveGitHubHost, type GitHubHostEnv } from './github-host.js';

/** How hard to try before a request counts as failed. */
export interface Resilience {
  /** Retries after a 5xx, a network error or a rate limit. Default 3. */
  maxRetries: number;
  /**
   * The longest `retry-after` (or primary rate-limit reset) waited out, in
   * seconds. A longer wait fails the request now, so the evaluation reports
   * `error` instead of holding a worker for an hour. Default 60.
   */
  maxRetryAfterSeconds: number;
  /**
   * Milliseconds per unit of wait: `retry-after` seconds for rate limits, the
   * retry plugin's quadratic back-off (1, 4, 9 units) for 5xx. 1000 in
   * production; tests pass 1 so a 2-second `retry-after` waits 2 ms.
   */
  delayUnitMs: number;
  /**
   * How long one request may take before it is abandoned (and, as a network
   * error, retried). Without it a GitHub that never answers holds the
   * repository's queue for Node's 300-second default. Default 30 s: GitHub
   * itself gives up on a GraphQL query after 10 s.
   */
  requestTimeoutMs: number;
}

export const DEFAULT_RESILIENCE: Resilience = { maxRetries: 3, maxRetryAfterSeconds: 60, delayUnitMs: 1000, requestTimeoutMs: 30_000 };

/** `fetch` that gives up after `ms`, keeping any signal the caller passed. Resolves the fetch at call time (tests patch the global one). */
function fetchWithTimeout(inner: typeof fetch | undefined, ms: number): typeof fetch {
  return (input, init = {}) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return (inner ?? globalThis.fetch)(input, { ...init, signal });
  };
}

/**
 * 4xx answers that retrying cannot fix. 403/429 rate limits are retried by the
 * throttling plugin instead (it reads `retry-after`); a 409 is a state conflict.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

type OctokitClass = typeof Octokit;

/**
 * Gives any Octokit class Changeproof's retry and throttling behaviour:
 * secondary rate limits are retried after GitHub's `retry-after` (or 60 s when
 * absent, as GitHub documents), at most `maxRetries` times and only when the
 * wait is at most `maxRetryAfterSeconds`; 5xx and network errors are retried
 * with back-off. Use it on Probot's class so the app and the Action behave
 * alike (Probot's own default does not retry secondary rate limits).
 *
 * The class must already include the throttling and retry plugins. Building
 * one also makes the plugins' in-memory Bottleneck limiters hand jobs on
 * in a microtask instead of after a 1 ms `setTimeout` (see fast-bottleneck.ts):
 * with the timers a request spent ~15 ms in the plugins, now under 1 ms.
 *
 * @example
 * import { ProbotOctokit } from 'probot';
 * const probot = new Probot({ Octokit: withChangeproofDefaults(ProbotOctokit) });
 */
export function withChangeproofDefaults<C extends OctokitClass>(Base: C, resilience: Partial<Resilience> = {}): C {
  useMicrotaskYieldsInBottleneck();
  const settings: Resilience = { ...DEFAULT_RESILIENCE, ...resilience };
  const shouldRetry = (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, octokit: Octokit, retryCount: number): boolean => {
      const retrying = retryCount < settings.maxRetries && retryAfter <= settings.maxRetryAfterSeconds;
      octokit.log.warn(
        `${kind} on ${options.method} ${options.url}: ${retrying ? `retrying in ${retryAfter} s (retry ${retryCount + 1} of ${settings.maxRetries})` : 'giving up'}`,
      );
      return retrying;
    };
  return Base.defaults((options: OctokitOptions) => ({
    ...options,
    request: { ...options.request, fetch: fetchWithTimeout(options.request?.fetch as typeof fetch | undefined, settings.requestTimeoutMs) },
    throttle: {
      ...options['throttle'],
      // Probot's installation-client factory turns throttling off unless the options say `enabled: true`.
      enabled: true,
      retryAfterBaseValue: settings.delayUnitMs,
      onRateLimit: shouldRetry('Rate limit'),
      onSecondaryRateLimit: shouldRetry('Secondary rate limit'),
    },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      ...options['retry'],
      retries: settings.maxRetries,
      retryAfterBaseValue: settings.delayUnitMs,
    },
  })) as C;
}

/** Octokit with throttling, retry, pagination and the REST endpoint methods. */
const PluggedOctokit = Octokit.plugin(throttling, retry, paginateRest, restEndpointMethods);

/** Changeproof's Octokit class for the Action, the CLI and tests (the app wraps Probot's class instead). */
export const ChangeproofOctokit = withChangeproofDefaults(PluggedOctokit);
export type ChangeproofOctokit = InstanceType<typeof ChangeproofOctokit>;

/**
 * What the `github/` functions need from a client: `request` and `graphql`.
 * Both Changeproof's Octokit and Probot's `context.octokit` satisfy it.
 */
export type GitHubClient = Pick<Octokit, 'request' | 'graphql' | 'log'>;

export interface CreateOctokitOptions {
  /** Installation or user token. */
  auth?: string;
  /** Environment to read `GHE_HOST`/`GHE_PROTOCOL`/`GITHUB_API_URL` from; default `process.env`. */
  env?: GitHubHostEnv;
  /** Overrides the resolved REST base URL. */
  baseUrl?: string;
  /** Injected fetch (tests, proxies). Defaults to the global fetch. */
  fetch?: typeof fetch;
  resilience?: Partial<Resilience>;
  /**
   * Key for rate-limit bookkeeping: requests with the same id share GitHub's
   * one-write-per-second spacing. Use the installation id. Default `changeproof`.
   */
  throttleId?: string;
  /**
   * More `@octokit/plugin-throttling` options, e.g. `connection` and
   * `Bottleneck` to share limits between several app replicas through Redis.
   * The limit handlers are always Changeproof's.
   */
  throttle?: Partial<ThrottlingOptions>;
  log?: OctokitOptions['log'];
  userAgent?: string;
}

/**
 * Builds a client for the Action or the CLI (no Probot), pointed at github.com,
 * GitHub Enterprise Server (`GHE_HOST`) or the simulator.
 *
 * @example
 * const octokit = createOctokit({ auth: process.env.GITHUB_TOKEN });
 * await collectPullRequest(octokit, { owner: 'acme', repo: 'api', number: 7 }, { now: () => new Date() });
 */
export function createOctokit(options: CreateOctokitOptions = {}): ChangeproofOctokit {
  const baseUrl = options.baseUrl ?? resolveGitHubHost(options.env ?? process.env).apiUrl;
  const Client = options.resilience ? withChangeproofDefaults(PluggedOctokit, options.resilience) : ChangeproofOctokit;
  return new Client({
    ...(options.auth ? { auth: options.auth } : {}),
    baseUrl,
    userAgent: options.userAgent ?? 'changeproof',
    ...(options.log ? { log: options.log } : {}),
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    // The limit handlers come from withChangeproofDefaults; only the id is per client.
    throttle: { ...options.throttle, id: options.throttleId ?? 'changeproof' } as ThrottlingOptions,
  }) as ChangeproofOctokit;
}
