import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, freshConnectionFetch, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import { pullRequestPayload, signWebhook } from '../support/webhooks.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const env = useApp();
const compliant = () => acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');

const outcomes = async (a: RunningApp) => (await a.entries('evaluation')).map((e) => (e.data as unknown as EvaluationRecord).verdict.outcome);

describe('deliveries', () => {
  it('a duplicate delivery is recorded once', async () => {
    const { sim, app } = await env.start(compliant());
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION });
    const first = await app.deliverAndSettle('pull_request', payload, { deliveryId: 'd-1' });
    const again = await app.deliverAndSettle('pull_request', payload, { deliveryId: 'd-1' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await app.entries('evaluation')).toHaveLength(1);
  });

  it.each([
    { name: 'an unsigned delivery', options: { signature: undefined, secret: undefined, unsigned: true } },
    { name: 'a delivery signed with the wrong secret', options: { secret: 'not-the-secret' } },
    { name: 'a delivery with a malformed signature', options: { signature: 'sha256=zz' } },
  ])('$name is rejected (4xx) and leaves no trace', async ({ options }) => {
    const { sim, app } = await env.start(compliant());
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION });
    let res: Response;
    if ('unsigned' in options) {
      res = await freshConnectionFetch(app.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'd-x' }, body: JSON.stringify(payload) });
    } else {
      res = await app.deliver('pull_request', payload, options as { secret?: string; signature?: string });
    }
    await app.worker.idle();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await app.entries()).toHaveLength(0);
    expect(await app.ledger.inbox.pending()).toHaveLength(0);
    expect(sim.count()).toBe(0);
  });

  it('a body that is not JSON is rejected without a trace', async () => {
    const { sim, app } = await env.start(compliant());
    const body = '{"action": "opened", ';
    const res = await freshConnectionFetch(app.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'd-bad', 'x-hub-signature-256': signWebhook(body, 'e2e-webhook-secret') },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await app.entries()).toHaveLength(0);
  });

  it('GitHub failing during an evaluation gives an error verdict, never success, and the automatic retry succeeds', async () => {
    // Far enough off that the first evaluation is read before the retry can run, however fast GitHub answers.
    const { sim, app } = await env.start(compliant(), { settings: { reevaluationDelaysMs: [1_000] } });
    sim.faults.add('POST /graphql', { kind: 'status', status: 502 }, 4); // outlasts the client's 3 retries
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    const [errorEntry] = await app.entries('evaluation');
    const record = errorEntry!.data as unknown as EvaluationRecord;
    expect(record.verdict.outcome).toBe('error');
    expect(record.verdict.error).toMatch(/502/);
    const run = sim.world.repo('acme/api').checkRuns.find((r) => r.name === 'Change control (CC8.1)')!;
    expect(run.conclusion).toBe('FAILURE');
    expect(run.output.title).toMatch(/^Evaluation error: .*502.*\. Re-run to retry$/);

    // The re-evaluation queued for a second later succeeds, on the same check run.
    await new Promise((r) => setTimeout(r, 1_050));
    await app.worker.idle();
    expect(await outcomes(app)).toEqual(['error', 'compliant']);
    expect(sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)')).toHaveLength(1);
    expect(sim.world.repo('acme/api').checkRuns.find((r) => r.name === 'Change control (CC8.1)')!.conclusion).toBe('SUCCESS');
  });

  it('a secondary rate limit is waited out (retry-after) and the evaluation succeeds', async () => {
    const { sim, app } = await env.start(compliant());
    sim.faults.add('POST /graphql', { kind: 'secondary-rate-limit', retryAfter: 2 }, 1);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(await outcomes(app)).toEqual(['compliant']);
  });

  it('a GraphQL partial error is an error verdict, not missing evidence', async () => {
    const { sim, app } = await env.start(compliant(), { settings: { reevaluationDelaysMs: [] } });
    sim.faults.addField({ field: 'PullRequest.reviews', type: 'INTERNAL', message: 'Something went wrong while executing your query.' }, 5);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(await outcomes(app)).toEqual(['error']);
  });

  it('work accepted before a crash is finished after a restart', async () => {
    const { sim, app: first } = await env.start(compliant());
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION });
    // Accepted (as the webhook route does) but never processed: the process died.
    await first.worker.stop();
    await first.ledger.inbox.accept('d-crash', 'pull_request', JSON.stringify(payload));
    const app = await env.restart();
    await app.worker.idle();
    expect(await outcomes(app)).toEqual(['compliant']);
    expect(await app.ledger.inbox.pending()).toHaveLength(0);
  });

  it('a ledger that cannot be written refuses the delivery (5xx), so GitHub can redeliver', async () => {
    const { sim, app } = await env.start(compliant());
    const inbox = app.ledger.inbox;
    const accept = inbox.accept.bind(inbox);
    inbox.accept = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'LEDGER_FULL' }));
    const res = await app.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(res.status).toBeGreaterThanOrEqual(500);
    inbox.accept = accept;
    await app.worker.idle();
    expect(await app.entries()).toHaveLength(0);
  });

  it('accepts a real example payload of every event it handles without an unhandled error', async () => {
    const { sim, app } = await env.start(compliant(), { settings: { maxAttempts: 1, reevaluationDelaysMs: [] } });
    const events = ['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'status', 'push', 'installation', 'installation_repositories', 'deployment', 'deployment_status', 'deployment_protection_rule'];
    let sent = 0;
    for (const event of events) {
      for (const example of examples.find((d) => d.name === event)?.examples ?? []) {
        const res = await app.deliver(event, example as object, { deliveryId: `example-${sent++}` });
        expect(res.status, `${event}.${(example as { action?: string }).action}`).toBe(200);
      }
    }
    await app.worker.idle();
    expect(sent).toBeGreaterThan(40);
    // The examples name repositories the simulator does not have: whatever could not be read is an
    // error verdict or a stalled delivery with its reason — never a crash, never a pass.
    for (const e of await app.entries('evaluation')) expect((e.data as unknown as EvaluationRecord).verdict.outcome).not.toBe('compliant');
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).ok).toBe(true);
  });
});

describe('read API', () => {
  it('health and public key are open; the ledger needs the bearer token', async () => {
    const { sim, app } = await env.start(compliant(), { apiToken: 'api-secret-token' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    const get = (path: string, headers: Record<string, string> = {}) => freshConnectionFetch(`${app.url}${path}`, { headers });

    const health = await get('/api/changeproof/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', version: 'test' });
    const head = await app.ledger.head();
    const detailed = await get('/api/changeproof/health', { authorization: 'Bearer api-secret-token' });
    expect(await detailed.json()).toMatchObject({
      status: 'ok',
      version: 'test',
      ledger: { size: head.size, head_hash: head.hash },
      pending_deliveries: 0,
      // GitHub's latest figures for the installation: one GraphQL query (3 points by GitHub's pricing) and one check-run write so far.
      rate_limits: {
        [String(INSTALLATION)]: {
          core: { limit: 5000, remaining: 4999, resets_at: expect.any(String), read_at: expect.any(String) },
          graphql: { limit: 5000, remaining: 4997 }, // points: the pull-request query costs 3
          last_graphql_cost: 3,
        },
      },
    });
    expect((await (await get('/api/changeproof/health', { authorization: 'Bearer wrong' })).json())).toEqual({ status: 'ok', version: 'test' });

    const key = await get('/api/changeproof/public-key');
    expect(await key.text()).toBe(app.ledger.publicKeyPem());

    // The verifier every export carries, and its hash, for an auditor to check the copy they run.
    const verifier = await get('/api/changeproof/verifier');
    const bytes = Buffer.from(await verifier.arrayBuffer());
    expect(bytes).toEqual(readFileSync(new URL('../../dist/verifier/changeproof-verify.mjs', import.meta.url)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(verifier.headers.get('x-content-sha256')).toBe(sha256);
    const withToken = (await (await get('/api/changeproof/health', { authorization: 'Bearer api-secret-token' })).json()) as { verifier_sha256: string };
    expect(withToken.verifier_sha256).toBe(sha256);

    expect((await get('/api/changeproof/ledger')).status).toBe(401);
    expect((await get('/api/changeproof/ledger', { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await get('/api/changeproof/ledger?repo=acme/api', { authorization: 'Bearer api-secret-token' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await ok.text()).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as { kind: string; subject: string }).map((e) => [e.kind, e.subject])).toEqual([['head_push', 'pull/1'], ['policy', 'policy'], ['evaluation', 'pull/1']]);

    expect((await get('/api/changeproof/ledger?from=yesterday', { authorization: 'Bearer api-secret-token' })).status).toBe(400);
    const none = await get('/api/changeproof/ledger?to=2000-01-01', { authorization: 'Bearer api-secret-token' });
    expect(await none.text()).toBe('');
  });

  it('without CHANGEPROOF_API_TOKEN the ledger route is off', async () => {
    const { sim, app } = await env.start(compliant());
    const res = await freshConnectionFetch(`${app.url}/api/changeproof/ledger`, { headers: { authorization: 'Bearer anything' } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('CHANGEPROOF_API_TOKEN');
  });
});
