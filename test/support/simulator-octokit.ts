import { randomUUID } from 'node:crypto';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import { createOctokit, type ChangeproofOctokit, type Resilience } from '../../src/github/octokit.js';
import type { GitHubSimulator } from './simulator/server.js';

/**
 * Stands in for the throttling plugin's write limiter, which spaces writes and
 * GraphQL queries one second apart (GitHub's advice for production). Tests of
 * paging and retries would otherwise spend seconds waiting; rate-limit retries
 * (`retry-after`) are handled elsewhere in the plugin and still happen.
 */
export const UNSPACED_WRITES = {
  key: () => ({ schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve(job(...args)) }),
} as unknown as NonNullable<ThrottlingOptions['write']>;

/**
 * Changeproof's Octokit pointed at the simulator through `GHE_HOST`/`GHE_PROTOCOL`
 * (the GitHub Enterprise Server path), with waits scaled to milliseconds,
 * writes not spaced, and a throttling id of its own.
 *
 * @example
 * const octokit = simulatorOctokit(sim);
 */
export function simulatorOctokit(
  sim: GitHubSimulator,
  options: { token?: string; resilience?: Partial<Resilience>; spaceWrites?: boolean } = {},
): ChangeproofOctokit {
  return createOctokit({
    auth: options.token ?? 'test-token',
    env: sim.env,
    resilience: { delayUnitMs: 1, ...options.resilience },
    throttleId: randomUUID(),
    throttle: options.spaceWrites ? {} : { write: UNSPACED_WRITES },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/**
 * Changeproof's Octokit for nock tests against `baseUrl`: no retries unless
 * asked, waits in milliseconds, writes not spaced, silent log.
 *
 * @example
 * const octokit = offlineOctokit('https://api.github.com');
 */
export function offlineOctokit(baseUrl: string, resilience: Partial<Resilience> = {}): ChangeproofOctokit {
  return createOctokit({
    auth: 'test-token',
    baseUrl,
    resilience: { delayUnitMs: 1, maxRetries: 0, ...resilience },
    throttleId: randomUUID(),
    throttle: { write: UNSPACED_WRITES },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
