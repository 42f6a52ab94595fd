import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario as base, freshConnectionFetch, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload, pullRequestReviewPayload } from '../support/webhooks.js';

const env = useApp();
const TOKEN = 'api-secret-token';

function ourRuns(sim: GitHubSimulator) {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)').sort((a, b) => a.id - b.id);
}

/** A review dismissal as GitHub sends it: the dismissed approval, action `dismissed`. */
function dismissal(sim: GitHubSimulator): object {
  const review = sim.world.repo('acme/api').pulls.get(1)!.reviews.at(-1)!;
  return pullRequestReviewPayload(sim, 'acme/api', 1, review.id, { action: 'dismissed', installationId: INSTALLATION });
}

describe('rate limits: re-evaluations wait for the reset when an installation nears its limit; merges never do', () => {
  it('a dismissal near the limit: the passing verdict is withdrawn at once, the re-evaluation waits for the reset, health says so; a merge meanwhile is judged and recorded', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s, { apiToken: TOKEN, settings: { coalesceMs: 20 } });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(ourRuns(sim).at(-1)).toMatchObject({ status: 'COMPLETED', conclusion: 'SUCCESS' });

    // Other work of the installation spends GitHub's GraphQL points; the app learns it from the next answer.
    sim.spendRateLimit(INSTALLATION, 'graphql', 4_700, { resetInSeconds: 2 });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION }));
    expect(await app.entries('evaluation')).toHaveLength(2);

    s.dismissReview('bob');
    sim.resetRequests();
    await app.deliver('pull_request_review', dismissal(sim), { deliveryId: 'dismissal' });
    await app.worker.idle();
    // Not judged yet: no evaluation, no GraphQL query; the success is withdrawn with one write.
    expect(await app.entries('evaluation')).toHaveLength(2);
    expect(sim.counts()).toEqual({ 'POST /repos/{owner}/{repo}/check-runs': 1 });
    expect(ourRuns(sim).at(-1)).toMatchObject({ status: 'IN_PROGRESS', conclusion: null });
    expect(ourRuns(sim).at(-1)!.output.title).toMatch(/^Re-evaluation waiting until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: GitHub's API limit is nearly spent$/);
    expect(ourRuns(sim).at(-1)!.output.summary).toContain('1 delivery');
    expect(await app.ledger.inbox.pendingIds()).toEqual(['dismissal']);

    const health = (await (await freshConnectionFetch(`${app.url}/api/changeproof/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, any>;
    expect(health['deferred_reevaluations']).toEqual({ [String(INSTALLATION)]: { deliveries: 1, until: expect.stringMatching(/Z$/), resource: 'graphql', remaining: expect.any(Number), limit: 5000 } });
    expect(health['deferred_reevaluations'][String(INSTALLATION)].remaining).toBeLessThan(500);

    // A merge does not wait: it is judged on the facts at merge (the approval was dismissed) and recorded.
    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const change = (await app.entries('change'))[0]!.data as unknown as EvaluationRecord;
    expect(change.verdict.outcome).toBe('non_compliant');
    expect(await app.entries('exception')).toHaveLength(1);

    // After GitHub's reset (2 s after the spending, to the second) the waiting re-evaluation runs and is recorded.
    const deadline = Date.now() + 10_000;
    while ((await app.ledger.inbox.pendingIds()).length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await app.worker.idle();
    }
    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
    const records = (await app.entries('evaluation')).map((e) => e.data as unknown as EvaluationRecord);
    expect(records).toHaveLength(3);
    expect(records[2]!.trigger.deliveryId).toBe('dismissal');
  }, 30_000);

  it('a passing verdict this process did not show (another replica, or before a restart) is read from GitHub and withdrawn all the same', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: { coalesceMs: 20 } });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(ourRuns(sim).at(-1)).toMatchObject({ status: 'COMPLETED', conclusion: 'SUCCESS' });

    // A new process: it knows nothing of what the first one showed. It learns the limit from
    // other work of the installation (another pull request), then the approval on #1 is dismissed.
    const restarted = await env.restart({ settings: { coalesceMs: 20 } });
    const pr1 = s.pr();
    s.pullRequest({ author: 'carol' });
    sim.spendRateLimit(INSTALLATION, 'graphql', 4_700, { resetInSeconds: 3 });
    await restarted.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'opened', { installationId: INSTALLATION }));
    pr1.reviews.find((r) => r.author === 'bob')!.state = 'DISMISSED';
    sim.resetRequests();
    const review = pr1.reviews.at(-1)!;
    await restarted.deliver('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, review.id, { action: 'dismissed', installationId: INSTALLATION }), { deliveryId: 'dismissal-2' });
    await restarted.worker.idle();
    // One read of what #1's head shows, one write withdrawing it; no evaluation yet.
    expect(sim.counts()).toEqual({ 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': 1, 'POST /repos/{owner}/{repo}/check-runs': 1 });
    const pr1Runs = ourRuns(sim).filter((r) => r.headSha === pr1.commits.at(-1));
    expect(pr1Runs.at(-1)).toMatchObject({ status: 'IN_PROGRESS', conclusion: null });
    expect(pr1Runs.at(-1)!.output.title).toMatch(/^Re-evaluation waiting until/);
  }, 30_000);

  it('with plenty left nothing waits, and with the reserve at 0 nothing ever does', async () => {
    for (const reserve of [0.1, 0]) {
      const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
      const { sim, app } = await env.start(s, { settings: { coalesceMs: 20, rateLimitReserve: reserve } });
      if (reserve === 0) sim.spendRateLimit(INSTALLATION, 'graphql', 4_990);
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
      s.dismissReview('bob');
      await app.deliver('pull_request_review', dismissal(sim));
      await app.worker.idle();
      const records = (await app.entries('evaluation')).map((e) => e.data as unknown as EvaluationRecord);
      // Without its approval the pull request waits for a review again.
      expect(records.map((r) => r.verdict.outcome)).toEqual(['compliant', 'pending']);
      expect(ourRuns(sim).at(-1)).toMatchObject({ status: 'IN_PROGRESS' });
      expect(ourRuns(sim).at(-1)!.output.title).not.toMatch(/waiting until/);
    }
  });
});
