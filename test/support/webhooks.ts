import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { RestJson } from './simulator/rest-json.js';
import type { GitHubSimulator } from './simulator/server.js';

// `any` on purpose: payloads are GitHub's JSON, patched field by field and sent on.
type Payload = Record<string, any>;

// The package's main is a JSON file; require() reads it without import attributes.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** `X-Hub-Signature-256` for a body: `sha256=` + HMAC-SHA256(secret, body) in hex. */
export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Posts a webhook the way GitHub does: JSON body, `X-GitHub-Event`,
 * `X-GitHub-Delivery`, and `X-Hub-Signature-256` when a secret is given
 * (`signature` overrides it, to test rejection of a bad one).
 *
 * @example
 * const res = await postWebhook(`${appUrl}/api/github/webhooks`, 'pull_request', payload, { secret: 'shh' });
 */
export async function postWebhook(
  url: string,
  event: string,
  payload: object,
  options: { secret?: string; signature?: string; deliveryId?: string; fetch?: typeof fetch } = {},
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/changeproof-test',
    'x-github-event': event,
    'x-github-delivery': options.deliveryId ?? randomUUID(),
  };
  const signature = options.signature ?? (options.secret === undefined ? undefined : signWebhook(body, options.secret));
  if (signature) headers['x-hub-signature-256'] = signature;
  return (options.fetch ?? fetch)(url, { method: 'POST', headers, body });
}

/** A deep copy of a real payload from `@octokit/webhooks-examples` (the first for the action, or the `index`th). */
export function examplePayload(event: string, action?: string, index = 0): Payload {
  const definition = examples.find((d) => d.name === event);
  const matching = ((definition?.examples ?? []) as Payload[]).filter((e) => action === undefined || e['action'] === action);
  const example = matching[index];
  if (!example) throw new Error(`no @octokit/webhooks-examples payload for ${event}${action ? `.${action}` : ''}`);
  return structuredClone(example) as Payload;
}

/**
 * A real `pull_request` payload with the simulator's repository, pull request,
 * installation and sender patched in.
 *
 * @example
 * const payload = pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: 7 });
 */
export function pullRequestPayload(sim: GitHubSimulator, fullName: string, number: number, action: string, options: { installationId?: number; sender?: string } = {}): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const pr = repo.pulls.get(number);
  if (!pr) throw new Error(`simulator: no pull request #${number} in ${fullName}`);
  const known = (examples.find((d) => d.name === 'pull_request')!.examples as Payload[]).some((e) => e['action'] === action);
  const payload = examplePayload('pull_request', known ? action : 'opened');
  payload['action'] = action;
  payload['number'] = number;
  payload['pull_request'] = { ...payload['pull_request'], ...json.pull(repo, pr) };
  return patchCommon(payload, json, sim, fullName, options.sender ?? pr.author ?? repo.owner, options.installationId);
}

/**
 * A `deployment_protection_rule` (`requested`) payload for `sha`, whose
 * `deployment_callback_url` points at the simulator (from `fixtures/github/`).
 */
export function deploymentProtectionRulePayload(
  sim: GitHubSimulator,
  fullName: string,
  options: { environment?: string; sha: string; runId?: number; installationId?: number; creator?: string },
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const payload = JSON.parse(readFileSync(new URL('../../fixtures/github/deployment_protection_rule.requested.json', import.meta.url), 'utf8')) as Payload;
  const repo = sim.world.repo(fullName);
  const environment = options.environment ?? 'production';
  const runId = options.runId ?? sim.world.nextId();
  payload['environment'] = environment;
  payload['sha'] = options.sha;
  payload['ref'] = `refs/heads/${repo.defaultBranch}`;
  payload['deployment_callback_url'] = `${sim.apiUrl}/repos/${fullName}/actions/runs/${runId}/deployment_protection_rule`;
  payload['deployment'] = {
    ...payload['deployment'],
    ...json.deployment(repo, { id: sim.world.nextId(), sha: options.sha, ref: repo.defaultBranch, environment, creator: options.creator ?? 'github-actions[bot]', createdAt: sim.world.now(), statuses: [] }),
  };
  return patchCommon(payload, json, sim, fullName, options.creator ?? repo.owner, options.installationId);
}

function patchCommon(payload: Payload, json: RestJson, sim: GitHubSimulator, fullName: string, sender: string, installationId?: number): Payload {
  const repo = sim.world.repo(fullName);
  payload['repository'] = { ...payload['repository'], ...json.repo(repo) };
  payload['sender'] = { ...payload['sender'], ...json.user(sender) };
  if (installationId !== undefined) payload['installation'] = { id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` };
  return payload;
}
