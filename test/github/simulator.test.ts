import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, test } from 'vitest';
import { ROUTES } from '../../src/github/routes.js';
import { scenario } from '../support/scenario.js';
import { SIMULATED_ROUTES, startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { gitBlobSha } from '../support/simulator/world.js';
import { examplePayload, postWebhook, pullRequestPayload, pullRequestReviewPayload, pushPayload, signWebhook } from '../support/webhooks.js';

let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const jwt = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"iss":4242,"iat":0,"exp":600}').toString('base64url')}.signature`;
const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${sim!.apiUrl}${path}`, { ...init, headers: { authorization: `token ${init.token ?? 'test-token'}`, 'content-type': 'application/json', ...init.headers } });
const graphql = async (query: string, variables: object = {}) =>
  (await (await fetch(sim!.graphqlUrl, { method: 'POST', headers: { authorization: 'bearer test-token' }, body: JSON.stringify({ query, variables }) })).json()) as {
    // `any`: the data is arbitrary JSON, read field by field in the assertions.
    data?: Record<string, any>;
    errors?: Array<{ type?: string; message: string; path?: unknown[] }>;
  };

describe('the GitHub simulator', () => {
  test('serves only routes that exist in GitHub’s OpenAPI description, and every route Changeproof uses', () => {
    const api = createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json') as { paths: Record<string, Record<string, unknown>> };
    for (const route of SIMULATED_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      expect(api.paths[path]?.[method.toLowerCase()], route).toBeDefined();
    }
    expect(SIMULATED_ROUTES).toEqual(expect.arrayContaining(Object.values(ROUTES)));
  });

  test('installation tokens need the app JWT; tokens see only their installation’s repositories', async () => {
    sim = await startGitHubSimulator(scenario().installation({ id: 12, account: 'acme', repositories: ['acme/api'] }).repo('acme/api').repo('acme/secret'));
    expect((await fetch(`${sim.apiUrl}/app/installations/12/access_tokens`, { method: 'POST' })).status).toBe(401);
    expect((await call('/app/installations/12/access_tokens', { method: 'POST' })).status).toBe(401);
    const issued = await fetch(`${sim.apiUrl}/app/installations/12/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
    expect(issued.status).toBe(201);
    const { token, expires_at } = (await issued.json()) as { token: string; expires_at: string };
    expect(token).toMatch(/^ghs_/);
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    expect((await call('/repos/acme/api', { token })).status).toBe(200);
    expect((await call('/repos/acme/secret', { token })).status).toBe(404);
    expect((await call('/repos/acme/api', { token: 'ghs_forged' })).status).toBe(401);
    const installation = await fetch(`${sim.apiUrl}/repos/acme/api/installation`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(await installation.json()).toMatchObject({ id: 12, app_slug: 'changeproof' });
  });

  test('contents carry the blob SHA and an ETag; If-None-Match is answered 304; raw is served too', async () => {
    const text = 'peer_review:\n  required_approvals: 2\n';
    sim = await startGitHubSimulator(scenario().repo('acme/api', { files: { '.github/changeproof.yml': text } }));
    const first = await call('/repos/acme/api/contents/.github/changeproof.yml');
    const body = (await first.json()) as { sha: string; content: string; encoding: string };
    expect(body.sha).toBe(gitBlobSha(text));
    expect(Buffer.from(body.content, 'base64').toString('utf8')).toBe(text);
    const etag = first.headers.get('etag')!;
    expect((await call('/repos/acme/api/contents/.github/changeproof.yml', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const raw = await call('/repos/acme/api/contents/.github/changeproof.yml', { headers: { accept: 'application/vnd.github.raw+json' } });
    expect(await raw.text()).toBe(text);
    expect((await call('/repos/acme/api/contents/missing.yml')).status).toBe(404);
    expect(sim.count('GET /repos/{owner}/{repo}/contents/{path}')).toBe(4);
  });

  test('check runs: created as the installation’s app, listed latest-per-name by default or all', async () => {
    const s = scenario().installation({ id: 3, account: 'acme' }).repo('acme/api').pullRequest({ author: 'alice' }).check('ci', 'failure').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const { token } = (await (await fetch(`${sim.apiUrl}/app/installations/3/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } })).json()) as { token: string };
    const created = await call('/repos/acme/api/check-runs', { method: 'POST', token, body: JSON.stringify({ name: 'mine', head_sha: s.headSha(), status: 'in_progress' }) });
    expect(await created.json()).toMatchObject({ name: 'mine', status: 'in_progress', app: { slug: 'changeproof' } });
    expect((await call('/repos/acme/api/check-runs', { method: 'POST', body: JSON.stringify({ name: 'x', head_sha: s.headSha(), status: 'completed' }) })).status).toBe(422);
    const latest = (await (await call(`/repos/acme/api/commits/${s.headSha()}/check-runs`)).json()) as { total_count: number; check_runs: Array<{ conclusion: string | null }> };
    expect(latest.total_count).toBe(2);
    const all = (await (await call(`/repos/acme/api/commits/${s.headSha()}/check-runs?filter=all&check_name=ci`)).json()) as { check_runs: Array<{ conclusion: string }> };
    expect(all.check_runs.map((r) => r.conclusion)).toEqual(['success', 'failure']);
  });

  test('webhook deliveries: listed newest first with cursor paging; a redelivery is recorded', async () => {
    const s = scenario().repo('acme/api');
    for (let i = 0; i < 3; i += 1) s.delivery({ event: 'pull_request', action: 'opened', statusCode: i === 1 ? 502 : 200 });
    sim = await startGitHubSimulator(s);
    const app = { authorization: `Bearer ${jwt}` };
    const page1 = await fetch(`${sim.apiUrl}/app/hook/deliveries?per_page=2`, { headers: app });
    const items = (await page1.json()) as Array<{ id: number; status_code: number }>;
    expect(items.map((d) => d.status_code)).toEqual([200, 502]);
    const next = /<([^>]+)>; rel="next"/.exec(page1.headers.get('link')!)![1]!;
    expect(((await (await fetch(next, { headers: app })).json()) as unknown[]).length).toBe(1);
    expect((await fetch(`${sim.apiUrl}/app/hook/deliveries/${items[1]!.id}/attempts`, { method: 'POST', headers: app })).status).toBe(202);
    expect(sim.world.deliveries.at(-1)).toMatchObject({ redelivery: true, statusCode: 502 });
  });

  test("GraphQL follows GitHub's rules: page sizes, NOT_FOUND with a path, schema validation, bot logins", async () => {
    sim = await startGitHubSimulator(scenario().bot('dependabot').repo('acme/api').pullRequest({ author: 'dependabot[bot]' }));
    const tooMany = await graphql('query { repository(owner: "acme", name: "api") { pullRequest(number: 1) { commits(first: 101) { totalCount } } } }');
    expect(tooMany.errors![0]).toMatchObject({ type: 'EXCESSIVE_PAGINATION', message: expect.stringContaining('exceeds the `first` limit of 100 records') });
    const unbounded = await graphql('query { repository(owner: "acme", name: "api") { pullRequest(number: 1) { commits { totalCount } } } }');
    expect(unbounded.errors![0]!.message).toContain('You must provide a `first` or `last` value');
    const missing = await graphql('query { repository(owner: "acme", name: "nope") { name } }');
    expect(missing).toEqual({ data: { repository: null }, errors: [expect.objectContaining({ type: 'NOT_FOUND', path: ['repository'] })] });
    const invalid = await graphql('query { repository(owner: "acme", name: "api") { nonsense } }');
    expect(invalid.data).toBeUndefined();
    expect(invalid.errors![0]!.message).toContain('Cannot query field "nonsense" on type "Repository"');
    const author = await graphql('query { repository(owner: "acme", name: "api") { pullRequest(number: 1) { author { __typename login } } } }');
    expect(author.data!['repository'].pullRequest.author).toEqual({ __typename: 'Bot', login: 'dependabot' });
  });

  test('faults: N times a status, then normal; a slow answer; every request counted by route', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'status', status: 500 }, 2).add('GET /repos/{owner}/{repo}', { kind: 'delay', ms: 150 });
    expect([(await call('/repos/acme/api')).status, (await call('/repos/acme/api')).status]).toEqual([500, 500]);
    const started = Date.now();
    expect((await call('/repos/acme/api')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await call('/nope');
    expect(sim.counts()).toEqual({ 'GET /repos/{owner}/{repo}': 3, 'UNMATCHED GET /api/v3/nope': 1 });
  });
});

describe('webhook helpers', () => {
  test('signWebhook produces the X-Hub-Signature-256 GitHub sends (verified by @octokit/webhooks-methods)', async () => {
    const body = JSON.stringify(examplePayload('pull_request', 'opened'));
    expect(await verify('It’s a Secret to Everybody', body, signWebhook(body, 'It’s a Secret to Everybody'))).toBe(true);
    expect(await verify('another secret', body, signWebhook(body, 'It’s a Secret to Everybody'))).toBe(false);
  });

  test('postWebhook sends GitHub’s headers with a real payload patched with the scenario', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 2 });
    sim = await startGitHubSimulator(s);
    const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const payload = pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: 12 });
      const res = await postWebhook(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`, 'pull_request', payload, { secret: 'shh', deliveryId: 'd-1' });
      expect(res.status).toBe(202);
      const [delivery] = received;
      expect(delivery!.headers).toMatchObject({ 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signWebhook(delivery!.body, 'shh') });
      const sent = JSON.parse(delivery!.body) as typeof payload;
      expect(sent).toMatchObject({
        action: 'synchronize',
        number: 1,
        installation: { id: 12 },
        repository: { full_name: 'acme/api', default_branch: 'main' },
        pull_request: { number: 1, head: { sha: s.headSha(), ref: 'feature-1' }, user: { login: 'alice' } },
        sender: { login: 'alice' },
      });
    } finally {
      receiver.close();
    }
  });
});

describe('payload builders patch real examples with the scenario', () => {
  test('push and pull_request_review', async () => {
    const s = scenario().repo('acme/api');
    const before = s.currentRepository().branches.get('main')!;
    s.file('a.txt', 'a\n', { author: 'mallory' }).file('b.txt', 'b\n', { author: 'mallory' });
    const after = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice' }).approvedBy('bob');
    sim = await startGitHubSimulator(s);
    const push = pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', forced: true, installationId: 4 });
    expect(push).toMatchObject({ ref: 'refs/heads/main', before, after, forced: true, pusher: { name: 'mallory' }, installation: { id: 4 }, head_commit: { id: after } });
    expect(push['commits'].map((c: { message: string; author: { username: string } }) => [c.message, c.author.username])).toEqual([
      ['Update a.txt', 'mallory'],
      ['Update b.txt', 'mallory'],
    ]);
    const review = pullRequestReviewPayload(sim, 'acme/api', 1, s.pr().reviews[0]!.id);
    expect(review).toMatchObject({ action: 'submitted', review: { state: 'approved', user: { login: 'bob' }, commit_id: s.headSha() }, pull_request: { number: 1 } });
  });
});
