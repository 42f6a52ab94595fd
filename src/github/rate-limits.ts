import type { Octokit } from '@octokit/core';

/** One of GitHub's rate limits as its latest answer stated it. */
export interface RateLimitFigures {
  limit: number;
  remaining: number;
  /** When the window resets (ISO, from `x-ratelimit-reset`). */
  resetsAt: string;
  /** When these figures were read. */
  readAt: string;
}

/** The latest figures of one installation, by GitHub's resource name (`core`, `graphql`, …). */
export interface InstallationRateLimits {
  resources: Record<string, RateLimitFigures>;
  /** The points the latest GraphQL query cost (its `rateLimit { cost }`), when it asked. */
  lastGraphqlCost: number | null;
}

/**
 * The latest rate-limit figures GitHub sent each installation: the
 * `x-ratelimit-*` headers of every answer (GitHub counts by installation:
 * https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github-app-installations)
 * and the cost of each GraphQL query that asks for `rateLimit { cost }`.
 * Reading only: nothing here delays or refuses a request. Bounded, least
 * recently updated first out.
 *
 * @example
 * const limits = new RateLimits(() => new Date());
 * const octokit = watchRateLimits(await app.auth(77), 77, limits);
 * limits.snapshot(); // { '77': { resources: { core: { limit: 5000, remaining: 4990, … } }, lastGraphqlCost: 1 } }
 */
export class RateLimits {
  private readonly installations = new Map<number, InstallationRateLimits>();

  constructor(
    private readonly clock: () => Date,
    private readonly maxInstallations = 10_000,
  ) {}

  /** Reads the `x-ratelimit-*` headers of one answer; answers without them (or with nonsense) change nothing. */
  recordHeaders(installationId: number, headers: Record<string, unknown> | undefined): void {
    const limit = count(headers?.['x-ratelimit-limit']);
    const remaining = count(headers?.['x-ratelimit-remaining']);
    const reset = count(headers?.['x-ratelimit-reset']);
    if (limit === null || remaining === null || reset === null) return;
    const resource = typeof headers?.['x-ratelimit-resource'] === 'string' ? headers['x-ratelimit-resource'] : 'core';
    const figures = this.touch(installationId);
    figures.resources[resource] = { limit, remaining, resetsAt: new Date(reset * 1000).toISOString(), readAt: this.clock().toISOString() };
  }

  recordGraphqlCost(installationId: number, cost: number): void {
    if (Number.isInteger(cost) && cost >= 0) this.touch(installationId).lastGraphqlCost = cost;
  }

  /**
   * The limit an installation is nearest to exhausting, when fewer than
   * `reserve` of it (a share: 0.1 = 10 %) is left and it has not reset yet
   * (`nowMs`, GitHub's wall-clock time); null otherwise. Only the limits
   * evaluations spend: REST (`core`) and GraphQL.
   */
  nearLimit(installationId: number, reserve: number, nowMs: number): { resource: string; remaining: number; limit: number; resetsAt: string } | null {
    const figures = this.installations.get(installationId);
    if (!figures || reserve <= 0) return null;
    let nearest: { resource: string; remaining: number; limit: number; resetsAt: string } | null = null;
    for (const resource of ['core', 'graphql']) {
      const r = figures.resources[resource];
      if (!r || r.limit <= 0 || r.remaining >= reserve * r.limit || Date.parse(r.resetsAt) <= nowMs) continue;
      if (!nearest || r.remaining / r.limit < nearest.remaining / nearest.limit) nearest = { resource, remaining: r.remaining, limit: r.limit, resetsAt: r.resetsAt };
    }
    return nearest;
  }

  /** The latest figures, by installation id. */
  snapshot(): Record<string, InstallationRateLimits> {
    return Object.fromEntries([...this.installations].map(([id, v]) => [String(id), structuredClone(v)]));
  }

  private touch(installationId: number): InstallationRateLimits {
    const figures = this.installations.get(installationId) ?? { resources: {}, lastGraphqlCost: null };
    this.installations.delete(installationId);
    this.installations.set(installationId, figures);
    if (this.installations.size > this.maxInstallations) this.installations.delete(this.installations.keys().next().value!);
    return figures;
  }
}

/**
 * Hooks an installation's client so that every answer (errors included: a
 * 403 for an exhausted limit carries the figures too) updates `limits`.
 * Returns the same client.
 */
export function watchRateLimits<C extends Pick<Octokit, 'hook'>>(octokit: C, installationId: number, limits: RateLimits): C {
  octokit.hook.after('request', (response) => {
    limits.recordHeaders(installationId, response.headers as Record<string, unknown>);
    const cost = (response.data as { data?: { rateLimit?: { cost?: unknown } | null } } | undefined)?.data?.rateLimit?.cost;
    if (typeof cost === 'number') limits.recordGraphqlCost(installationId, cost);
  });
  octokit.hook.error('request', (error) => {
    limits.recordHeaders(installationId, (error as { response?: { headers?: Record<string, unknown> } }).response?.headers);
    throw error;
  });
  return octokit;
}

function count(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}
