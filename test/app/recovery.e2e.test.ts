import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/records.js';
import { APP_ID, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { scenario } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload } from '../support/webhooks.js';

const env = useApp();

/** The app's clock follows the scenario's, a minute ahead. */
const followSim = (s: GitHubSimulator) => () => new Date(Date.parse(s.world.now()) + 60_000);

describe('missed webhooks', () => {
  it('redelivers each delivery whose every attempt failed, and nothing else', async () => {
    const s = scenario().installation({ id: INSTALLATION, account: 'acme', appId: APP_ID }).repo('acme/api');
    s.delivery({ event: 'pull_request', action: 'opened', statusCode: 200 });
    s.delivery({ event: 'pull_request', action: 'closed', statusCode: 503 }); // never reached us
    s.delivery({ event: 'push', statusCode: 500 }); // failed, then succeeded on a redelivery:
    const failedThenOk = s.world.deliveries.at(-1)!;
    s.world.deliveries.push({ ...failedThenOk, id: s.world.nextId(), redelivery: true, statusCode: 200, status: 'OK', deliveredAt: s.world.tick() });
    const neverReached = s.world.deliveries[1]!;
    const { sim, app } = await env.start(s, (sim) => ({ clock: followSim(sim) }));

    const run = await app.recovery.runNow();
    expect(run.redelivery).toEqual({ examined: 4, redelivered: [neverReached.guid] });
    expect(sim.requests.filter((r) => r.route === 'POST /app/hook/deliveries/{delivery_id}/attempts').map((r) => r.path)).toEqual([`/api/v3/app/hook/deliveries/${neverReached.id}/attempts`]);
  });

  it('sweeps for merged pull requests without a change record and records them', async () => {
    const s = scenario().installation({ id: INSTALLATION, account: 'acme', appId: APP_ID }).repo('acme/api').user('alice').user('bob').user('carol');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' }); // #1: its webhook arrives
    s.pullRequest({ author: 'bob' }).check('ci', 'failure').merge({ by: 'bob' }); // #2: its webhook is lost
    s.pullRequest({ author: 'carol' }); // #3: still open
    const { sim, app } = await env.start(s, (sim) => ({ clock: followSim(sim), settings: { sweepSettleMs: 0 } }));
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));

    const run = await app.recovery.runNow();
    expect(run.sweep).toEqual({ repositories: 1, merged: 2, queued: ['acme/api#2'] });
    await app.worker.idle();
    const changes = (await app.entries('change')).map((e) => [e.subject, (e.data as unknown as ChangeRecord).trigger.deliveryId.split(':')[0], (e.data as unknown as ChangeRecord).exception]);
    expect(changes).toEqual([
      ['pull/1', expect.not.stringMatching(/^sweep/), false],
      ['pull/2', 'sweep', true],
    ]);
    expect(await app.entries('exception')).toHaveLength(1);

    // A second sweep finds nothing new; a late webhook for #2 records nothing more.
    expect((await app.recovery.runNow()).sweep).toMatchObject({ queued: [] });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
    expect(await app.entries('change')).toHaveLength(2);
  });

  it('a GitHub failure during recovery is reported and retried at the next run', async () => {
    const s = scenario().installation({ id: INSTALLATION, account: 'acme', appId: APP_ID }).repo('acme/api');
    const { sim, app } = await env.start(s, (sim) => ({ clock: followSim(sim) }));
    sim.faults.add('GET /app/hook/deliveries', { kind: 'status', status: 500 }, 10);
    sim.faults.add('GET /app/installations', { kind: 'status', status: 500 }, 10);
    const run = await app.recovery.runNow();
    expect(run.redelivery).toMatchObject({ error: expect.stringMatching(/500/) });
    expect(run.sweep).toMatchObject({ error: expect.stringMatching(/500/) });
    sim.faults.clear();
  });
});
