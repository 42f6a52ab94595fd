import { randomUUID } from 'node:crypto';
import { createOctokit, type ChangeproofOctokit, type Resilience } from '../../src/github/octokit.js';
import type { GitHubSimulator } from './simulator/server.js';

/**
 * Changeproof's Octokit pointed at the simulator through `GHE_HOST`/`GHE_PROTOCOL`
 * (the GitHub Enterprise Server path), with waits scaled to milliseconds and
 * a throttling id of its own so tests do not queue behind each other.
 *
 * @example
 * const octokit = simulatorOctokit(sim);
 */
export function simulatorOctokit(sim: GitHubSimulator, options: { token?: string; resilience?: Partial<Resilience> } = {}): ChangeproofOctokit {
  return createOctokit({
    auth: options.token ?? 'test-token',
    env: sim.env,
    resilience: { delayUnitMs: 1, ...options.resilience },
    throttleId: randomUUID(),
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
