import { INSTALLATION_ID, type RunningApp } from './app-harness.js';
import type { ScenarioBuilder } from './scenario.js';
import type { GitHubSimulator } from './simulator/server.js';
import { pullRequestPayload, pushPayload } from './webhooks.js';

/**
 * A reviewed change merged into `acme/api`'s main, its merge and its push both
 * delivered to the app, then a day passes: the everyday history a period is
 * made of.
 */
export async function mergeAndPush(s: ScenarioBuilder, sim: GitHubSimulator, app: RunningApp, author: string, approver: string): Promise<void> {
  const mainHead = () => s.currentRepository().branches.get('main')!;
  const before = mainHead();
  s.pullRequest({ author }).approvedBy(approver).check('ci', 'success').merge({ by: approver });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION_ID }));
  await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after: mainHead(), pusher: approver, installationId: INSTALLATION_ID }));
  sim.world.tick(24 * 60);
}

/** The app's clock a minute ahead of the simulator's, so that what the simulator just did is in the past. */
export const followSim = (sim: GitHubSimulator) => ({ clock: () => new Date(Date.parse(sim.world.now()) + 60_000) });

/** A compliant change by `author` (approved by bob, CI green) merged by carol with GitHub's button, its merge delivered. */
export async function mergeCompliant(s: ScenarioBuilder, sim: GitHubSimulator, app: RunningApp, author = 'alice'): Promise<void> {
  s.pullRequest({ author }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION_ID }));
}
