import { expect } from 'vitest';
import type { DeploymentDecisionRecord } from '../../src/core/records.js';
import { INSTALLATION_ID, type RunningApp } from './app-harness.js';
import type { GitHubSimulator } from './simulator/server.js';
import { deploymentProtectionRulePayload } from './webhooks.js';

/** The head of acme/api's `main` in the simulated world. */
export const mainHead = (sim: GitHubSimulator) => sim.world.repo('acme/api').branches.get('main')!;

/** Asks the gate about deploying `sha` (default: main's head) to acme/api; returns GitHub's recorded answer and the decision entry. */
export async function requestDeployment(sim: GitHubSimulator, app: RunningApp, options: { sha?: string; environment?: string; sender?: string } = {}) {
  const before = sim.world.protectionCallbacks.length;
  const payload = deploymentProtectionRulePayload(sim, 'acme/api', { sha: options.sha ?? mainHead(sim), environment: options.environment, installationId: INSTALLATION_ID, sender: options.sender ?? 'carol' });
  const res = await app.deliverAndSettle('deployment_protection_rule', payload);
  expect(res.status).toBe(200);
  const answers = sim.world.protectionCallbacks.slice(before);
  expect(answers).toHaveLength(1);
  const decisions = await app.entries('deployment_decision');
  const entry = decisions.at(-1)!;
  return { answer: answers[0]!, record: entry.data as unknown as DeploymentDecisionRecord, entry, payload };
}
