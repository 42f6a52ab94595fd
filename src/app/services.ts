import type { GitHubClient } from '../github/octokit.js';
import type { PolicyCache } from '../github/policy-cache.js';
import type { PublishedCheckRuns } from '../github/published-check-runs.js';
import type { RateLimits } from '../github/rate-limits.js';
import type { Ledger } from '../ledger/index.js';

/** The logging surface the app uses (Probot's pino logger satisfies it). */
export interface Log {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Everything the handlers reach outside themselves; injected so tests control time and GitHub. */
export interface AppServices {
  ledger: Ledger;
  clock: () => Date;
  policyCache: PolicyCache;
  /** What this process last wrote to each check run, so an unchanged verdict is not written again. */
  publishedCheckRuns: PublishedCheckRuns;
  /** GitHub's latest rate-limit figures per installation (re-evaluations wait when one is nearly spent). */
  rateLimits?: RateLimits;
  /** A client authenticated as an installation. */
  installationClient(installationId: number): Promise<GitHubClient>;
  /** A client authenticated as the app itself (JWT): hook deliveries, installations. */
  appClient(): Promise<GitHubClient>;
  log: Log;
  /** The app's id, to tell its own check runs and suites from others'. */
  appId: number | null;
  settings: AppSettings;
}

export interface AppSettings {
  /** Attempts of a delivery before its failure is recorded for good. */
  maxAttempts: number;
  /** Back-off between attempts, by attempt number (ms); the last value repeats. */
  retryDelaysMs: number[];
  /** Automatic re-evaluations after an evaluation that could not read GitHub, and their delays (ms). */
  reevaluationDelaysMs: number[];
  /** Deliveries processed at once (different repositories; one repository is always one at a time). */
  concurrency: number;
  /** How long a push waits before its commits are associated, so GitHub has linked merged pull requests. */
  pushSettleMs: number;
  /** Missed-webhook recovery (redeliveries, merge sweep): how often; 0 turns it off. */
  recoveryIntervalMs: number;
  /** The first recovery run, this long after start. */
  recoveryStartDelayMs: number;
  /** How far back the first sweep looks for merges without a change record. */
  sweepLookbackMs: number;
  /** Merges younger than this are left to their own webhook by the sweep. */
  sweepSettleMs: number;
  /**
   * How long a re-evaluation of a pull request waits for more deliveries about
   * it (checks finishing, reviews): each one that arrives in that time restarts
   * the wait and is folded into the same evaluation. 0 evaluates every delivery
   * on its own.
   */
  coalesceMs: number;
  /** The longest a re-evaluation is held back by deliveries that keep arriving, from its first one. */
  coalesceMaxMs: number;
  /** Leave a check run as it is when it already shows the verdict (false writes every evaluation). */
  skipUnchangedCheckRuns: boolean;
  /**
   * Re-evaluations of an installation wait for its rate limit to reset when
   * fewer than this share of a limit (REST, GraphQL) is left; merges, pushes
   * and deployment gates never wait. 0 never defers.
   */
  rateLimitReserve: number;
}

export const DEFAULT_SETTINGS: AppSettings = {
  maxAttempts: 6,
  retryDelaysMs: [1_000, 5_000, 30_000, 120_000, 600_000],
  reevaluationDelaysMs: [30_000, 120_000, 600_000],
  concurrency: 4,
  pushSettleMs: 5_000,
  recoveryIntervalMs: 30 * 60_000,
  recoveryStartDelayMs: 10_000,
  sweepLookbackMs: 7 * 86_400_000,
  sweepSettleMs: 10 * 60_000,
  coalesceMs: 1_000,
  coalesceMaxMs: 10_000,
  skipUnchangedCheckRuns: true,
  rateLimitReserve: 0.1,
};
