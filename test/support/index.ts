// Test support for GitHub: the simulator, scenario builders, clients and webhook helpers.
export { scenario, ScenarioBuilder } from './scenario.js';
export { startGitHubSimulator, SIMULATED_ROUTES, type GitHubSimulator, type RecordedRequest } from './simulator/server.js';
export { World, gitBlobSha } from './simulator/world.js';
export type { Fault, FieldFault } from './simulator/faults.js';
export { simulatorOctokit, offlineOctokit } from './simulator-octokit.js';
export { signWebhook, postWebhook, examplePayload, pullRequestPayload, pullRequestReviewPayload, pushPayload, deploymentProtectionRulePayload, checkRunPayload, statusPayload, deploymentStatusPayload } from './webhooks.js';
export { startApp, APP_ID, WEBHOOK_SECRET, type RunningApp } from './app-harness.js';
export { openapiExample } from './openapi-examples.js';
