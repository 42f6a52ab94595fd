import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { RestJson } from './simulator/rest-json.js';
import { reachable } from './simulator/world.js';
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
export function pullRequestPayload(
  sim: GitHubSimulator,
  fullName: string,
  number: number,
  action: string,
  options: { installationId?: number; sender?: string; before?: string; after?: string; pushedAt?: string } = {},
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const pr = repo.pulls.get(number);
  if (!pr) throw new Error(`simulator: no pull request #${number} in ${fullName}`);
  const known = (examples.find((d) => d.name === 'pull_request')!.examples as Payload[]).some((e) => e['action'] === action);
  const payload = examplePayload('pull_request', known ? action : 'opened');
  payload['action'] = action;
  payload['number'] = number;
  payload['pull_request'] = { ...payload['pull_request'], ...json.pull(repo, pr) };
  if (action === 'synchronize') {
    // GitHub says which head the push replaced: by default the commit before the head.
    payload['before'] = options.before ?? pr.commits.at(-2) ?? pr.baseSha;
    payload['after'] = options.after ?? pr.commits.at(-1);
  } else {
    delete payload['before'];
    delete payload['after'];
  }
  const patched = patchCommon(payload, json, sim, fullName, options.sender ?? pr.author ?? repo.owner, options.installationId);
  patched['repository']['pushed_at'] = options.pushedAt ?? sim.world.now();
  return patched;
}

/**
 * A `deployment_protection_rule` (`requested`) payload for `sha`, whose
 * `deployment_callback_url` points at the simulator (from `fixtures/github/`).
 */
export function deploymentProtectionRulePayload(
  sim: GitHubSimulator,
  fullName: string,
  options: { environment?: string; sha: string; runId?: number; installationId?: number; creator?: string; sender?: string; deploymentId?: number },
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
    ...json.deployment(repo, { id: options.deploymentId ?? sim.world.nextId(), sha: options.sha, ref: repo.defaultBranch, environment, creator: options.creator ?? 'github-actions[bot]', createdAt: sim.world.now(), statuses: [] }),
  };
  return patchCommon(payload, json, sim, fullName, options.sender ?? options.creator ?? repo.owner, options.installationId);
}

/**
 * A real `push` payload for `before..after` on the default branch (or `ref`),
 * with at most 20 commits as GitHub sends (the full list needs the compare API).
 *
 * @example
 * const payload = pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory' });
 */
export function pushPayload(
  sim: GitHubSimulator,
  fullName: string,
  options: { before: string; after: string; pusher: string; forced?: boolean; ref?: string; installationId?: number; pushedAt?: string; created?: boolean },
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const payload = examplePayload('push');
  const fromBefore = reachable(repo, options.before);
  const shas = [...reachable(repo, options.after)].filter((sha) => !fromBefore.has(sha));
  const commits = shas
    .map((sha) => repo.commits.get(sha)!)
    .sort((a, b) => a.committer.date.localeCompare(b.committer.date))
    .map((c) => ({
      id: c.sha, tree_id: c.sha, distinct: true, message: c.message, timestamp: c.committer.date, url: `https://github.com/${fullName}/commit/${c.sha}`,
      author: { name: c.author.name, email: c.author.email, username: sim.world.accountByEmail(c.author.email)?.login },
      committer: { name: c.committer.name, email: c.committer.email, username: sim.world.accountByEmail(c.committer.email)?.login },
      added: [], removed: [], modified: [],
    }));
  const pusher = sim.world.account(options.pusher);
  Object.assign(payload, {
    ref: options.ref ?? `refs/heads/${repo.defaultBranch}`, before: options.before, after: options.after, created: options.created ?? false, deleted: false,
    forced: options.forced ?? false, base_ref: null, compare: `https://github.com/${fullName}/compare/${options.before.slice(0, 12)}...${options.after.slice(0, 12)}`,
    commits: commits.slice(-20), head_commit: commits.at(-1) ?? null, pusher: { name: options.pusher, email: pusher?.emails[0] ?? null },
  });
  const patched = patchCommon(payload, json, sim, fullName, options.pusher, options.installationId);
  // A push payload gives the repository's push time in Unix seconds (other events: ISO-8601).
  patched['repository']['pushed_at'] = Math.floor(Date.parse(options.pushedAt ?? sim.world.now()) / 1000);
  return patched;
}

/**
 * A real `pull_request_review` payload for one of the simulated pull request's reviews.
 *
 * @example
 * const payload = pullRequestReviewPayload(sim, 'acme/api', 1, s.pr().reviews[0].id);
 */
export function pullRequestReviewPayload(
  sim: GitHubSimulator,
  fullName: string,
  number: number,
  reviewId: number,
  options: { action?: 'submitted' | 'dismissed' | 'edited'; installationId?: number } = {},
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const pr = repo.pulls.get(number);
  const review = pr?.reviews.find((r) => r.id === reviewId);
  if (!pr || !review) throw new Error(`simulator: no review ${reviewId} on ${fullName}#${number}`);
  const payload = examplePayload('pull_request_review', 'submitted');
  payload['action'] = options.action ?? 'submitted';
  payload['review'] = {
    ...payload['review'], id: review.id, node_id: `PRR_${review.id}`, user: json.user(review.author), body: review.body, commit_id: review.commitSha,
    submitted_at: review.submittedAt, state: review.state.toLowerCase(), html_url: `https://github.com/${fullName}/pull/${number}#pullrequestreview-${review.id}`,
  };
  payload['pull_request'] = { ...payload['pull_request'], ...json.pull(repo, pr) };
  return patchCommon(payload, json, sim, fullName, review.author ?? repo.owner, options.installationId);
}

/**
 * A real `merge_group` payload (`checks_requested`, or `destroyed` with its
 * `reason`) for the merge group the queue built for pull request `number`,
 * shaped as GitHub sends it: full refs, the group's parent as `base_sha`, and
 * the group's commit as `head_commit`. The sender defaults to the pull
 * request's enqueuer.
 *
 * @example const payload = mergeGroupPayload(sim, 'acme/api', 2, { installationId });
 */
export function mergeGroupPayload(
  sim: GitHubSimulator,
  fullName: string,
  number: number,
  options: { action?: 'checks_requested' | 'destroyed'; reason?: 'merged' | 'invalidated' | 'dequeued'; installationId?: number; sender?: string } = {},
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const queue = [...(repo.mergeQueues?.values() ?? [])].find((q) => q.entries.some((e) => e.number === number));
  const entry = queue?.entries.find((e) => e.number === number);
  if (!queue || !entry) throw new Error(`simulator: #${number} is not in a merge queue of ${fullName}`);
  const head = repo.commits.get(entry.groupHeadSha)!;
  const payload = examplePayload('merge_group', 'checks_requested');
  payload['action'] = options.action ?? 'checks_requested';
  if (payload['action'] === 'destroyed') payload['reason'] = options.reason ?? 'merged';
  payload['merge_group'] = {
    head_sha: head.sha,
    head_ref: `refs/heads/${entry.groupRef}`,
    base_sha: entry.groupBaseSha,
    base_ref: `refs/heads/${queue.branch}`,
    head_commit: {
      id: head.sha, tree_id: json.commit(repo, head).commit.tree.sha, message: head.message, timestamp: head.committer.date,
      author: { name: head.author.name, email: head.author.email }, committer: { name: head.committer.name, email: head.committer.email },
    },
  };
  return patchCommon(payload, json, sim, fullName, options.sender ?? entry.enqueuer, options.installationId);
}

function patchCommon(payload: Payload, json: RestJson, sim: GitHubSimulator, fullName: string, sender: string, installationId?: number): Payload {
  const repo = sim.world.repo(fullName);
  payload['repository'] = { ...payload['repository'], ...json.repo(repo) };
  payload['sender'] = { ...payload['sender'], ...json.user(sender) };
  if (installationId !== undefined) payload['installation'] = { id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` };
  return payload;
}

/**
 * A real `check_run` payload for one of the simulated check runs, listing the
 * open pull requests whose head it ran on (as GitHub does within a repository).
 *
 * @example const payload = checkRunPayload(sim, 'acme/api', run.id, 'completed', { installationId });
 */
export function checkRunPayload(sim: GitHubSimulator, fullName: string, runId: number, action: string, options: { installationId?: number; sender?: string } = {}): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const run = repo.checkRuns.find((r) => r.id === runId);
  if (!run) throw new Error(`simulator: no check run ${runId} in ${fullName}`);
  const payload = examplePayload('check_run', 'completed');
  payload['action'] = action;
  const pulls = [...repo.pulls.values()].filter((pr) => pr.state === 'open' && pr.commits.at(-1) === run.headSha);
  payload['check_run'] = {
    ...payload['check_run'],
    ...json.checkRun(repo, run),
    pull_requests: pulls.map((pr) => ({ number: pr.number, id: pr.number, url: `${sim.apiUrl}/repos/${fullName}/pulls/${pr.number}`, head: { ref: pr.headRef, sha: run.headSha }, base: { ref: pr.baseRef, sha: pr.baseSha } })),
  };
  return patchCommon(payload, json, sim, fullName, options.sender ?? repo.owner, options.installationId);
}

/**
 * A real `status` payload for one of the simulated commit statuses.
 *
 * @example const payload = statusPayload(sim, 'acme/api', status.id, { installationId });
 */
export function statusPayload(sim: GitHubSimulator, fullName: string, statusId: number, options: { installationId?: number } = {}): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const status = repo.statuses.find((s) => s.id === statusId);
  if (!status) throw new Error(`simulator: no status ${statusId} in ${fullName}`);
  const payload = examplePayload('status');
  Object.assign(payload, { id: status.id, sha: status.sha, name: fullName, context: status.context, state: status.state.toLowerCase(), target_url: status.targetUrl, description: status.description, created_at: status.createdAt, updated_at: status.createdAt });
  return patchCommon(payload, json, sim, fullName, status.creator, options.installationId);
}

/**
 * A real `deployment_status` (`created`) payload: deployment `deploymentId` of
 * `sha` to `environment` reached `state`.
 *
 * @example const payload = deploymentStatusPayload(sim, 'acme/api', { deploymentId: 9, sha, state: 'success', installationId });
 */
export function deploymentStatusPayload(
  sim: GitHubSimulator,
  fullName: string,
  options: { deploymentId: number; sha: string; environment?: string; state: string; creator?: string; installationId?: number },
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const environment = options.environment ?? 'production';
  const creator = options.creator ?? 'github-actions[bot]';
  const at = sim.world.tick();
  const payload = examplePayload('deployment_status', 'created');
  payload['deployment'] = { ...payload['deployment'], ...json.deployment(repo, { id: options.deploymentId, sha: options.sha, ref: repo.defaultBranch, environment, creator, createdAt: at, statuses: [] }) };
  payload['deployment_status'] = { ...payload['deployment_status'], id: sim.world.nextId(), state: options.state, environment, creator: json.user(creator), created_at: at, updated_at: at };
  return patchCommon(payload, json, sim, fullName, creator, options.installationId);
}

/**
 * A real `installation` (`created`) payload: the app installed on `repos`
 * (the ledger covers each of them from then on).
 *
 * @example await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], 77));
 */
export function installationPayload(sim: GitHubSimulator, repos: string[], installationId: number): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const payload = examplePayload('installation', 'created');
  const owner = repos[0]!.split('/')[0]!;
  payload['installation'] = { ...payload['installation'], id: installationId, account: json.user(owner) };
  payload['repositories'] = repos.map((full) => {
    const repo = sim.world.repo(full);
    return { id: repo.id, node_id: `R_${repo.id}`, name: repo.name, full_name: full, private: repo.private };
  });
  payload['sender'] = { ...payload['sender'], ...json.user(owner) };
  return payload;
}

/**
 * A real `issue_comment` payload (`created` by default) for a comment by
 * `author` on pull request `number`: the issue carries `pull_request`, as
 * GitHub sends it for a pull request's conversation.
 *
 * @example const payload = issueCommentPayload(sim, 'acme/api', 1, 'carol', '/changeproof respond Reviewed.', { installationId });
 */
export function issueCommentPayload(
  sim: GitHubSimulator,
  fullName: string,
  number: number,
  author: string,
  body: string,
  options: { action?: 'created' | 'edited' | 'deleted'; installationId?: number; commentId?: number; authorAssociation?: string } = {},
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const pr = repo.pulls.get(number);
  if (!pr) throw new Error(`simulator: no pull request #${number} in ${fullName}`);
  const action = options.action ?? 'created';
  const payload = examplePayload('issue_comment', action);
  const id = options.commentId ?? sim.world.nextId();
  const at = sim.world.tick();
  payload['action'] = action;
  payload['issue'] = {
    ...payload['issue'], number, title: pr.title, state: pr.mergedAt ? 'closed' : 'open', user: json.user(pr.author),
    html_url: `https://github.com/${fullName}/pull/${number}`,
    pull_request: { url: `${sim.apiUrl}/repos/${fullName}/pulls/${number}`, html_url: `https://github.com/${fullName}/pull/${number}`, merged_at: pr.mergedAt },
  };
  payload['comment'] = {
    ...payload['comment'], id, node_id: `IC_${id}`, user: json.user(author), body, created_at: at, updated_at: at,
    author_association: options.authorAssociation ?? 'MEMBER', html_url: `https://github.com/${fullName}/pull/${number}#issuecomment-${id}`,
  };
  return patchCommon(payload, json, sim, fullName, author, options.installationId);
}

/**
 * A real `check_suite` payload (`completed` by default) for one of the simulated
 * check suites: its app, its head, the conclusion its runs add up to, and the
 * open pull requests whose head it ran on (as GitHub lists them within a repository).
 *
 * @example const payload = checkSuitePayload(sim, 'acme/api', suiteId, { installationId });
 */
export function checkSuitePayload(
  sim: GitHubSimulator,
  fullName: string,
  suiteId: number,
  options: { action?: 'completed' | 'requested' | 'rerequested'; installationId?: number; sender?: string } = {},
): Payload {
  const json = new RestJson(sim.world, sim.apiUrl, 'https://github.com');
  const repo = sim.world.repo(fullName);
  const suite = repo.checkSuites.find((s) => s.id === suiteId);
  if (!suite) throw new Error(`simulator: no check suite ${suiteId} in ${fullName}`);
  const runs = repo.checkRuns.filter((r) => r.suiteId === suite.id);
  const done = runs.every((r) => r.status === 'COMPLETED');
  // GitHub's roll-up, worst first.
  const conclusion = !done ? null : (['ACTION_REQUIRED', 'TIMED_OUT', 'CANCELLED', 'FAILURE', 'STALE', 'NEUTRAL', 'SUCCESS', 'SKIPPED'].find((c) => runs.some((r) => r.conclusion === c)) ?? 'SUCCESS').toLowerCase();
  const payload = examplePayload('check_suite', 'completed');
  payload['action'] = options.action ?? 'completed';
  const pulls = [...repo.pulls.values()].filter((pr) => pr.state === 'open' && pr.commits.at(-1) === suite.headSha);
  const branch = [...repo.branches].find(([, sha]) => sha === suite.headSha)?.[0] ?? null;
  payload['check_suite'] = {
    ...payload['check_suite'],
    id: suite.id, node_id: `CS_${suite.id}`, head_branch: branch, head_sha: suite.headSha, status: done ? 'completed' : 'in_progress', conclusion,
    url: `${sim.apiUrl}/repos/${fullName}/check-suites/${suite.id}`, before: null, after: suite.headSha,
    app: { ...payload['check_suite']['app'], id: suite.appId, slug: suite.appSlug, name: suite.appSlug },
    latest_check_runs_count: runs.length, check_runs_url: `${sim.apiUrl}/repos/${fullName}/check-suites/${suite.id}/check-runs`,
    pull_requests: pulls.map((pr) => ({ number: pr.number, id: pr.id, url: `${sim.apiUrl}/repos/${fullName}/pulls/${pr.number}`, head: { ref: pr.headRef, sha: suite.headSha }, base: { ref: pr.baseRef, sha: pr.baseSha } })),
  };
  return patchCommon(payload, json, sim, fullName, options.sender ?? repo.owner, options.installationId);
}
