import { describe, expect, it } from 'vitest';
import { acmeScenario as base, APP_ID, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, examplePayload, pullRequestPayload } from '../support/webhooks.js';

const env = useApp();
const CREATE = 'POST /repos/{owner}/{repo}/check-runs';
const UPDATE = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';

/** Check-run writes (creates and updates) since the last reset, as the simulator counted them. */
function writes(sim: GitHubSimulator): number {
  const counts = sim.counts() as Record<string, number>;
  return (counts[CREATE] ?? 0) + (counts[UPDATE] ?? 0);
}

function ourRun(sim: GitHubSimulator) {
  const runs = sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

/** The pull request re-evaluated as GitHub would on an edit of its title. */
function reevaluate(sim: GitHubSimulator, app: RunningApp) {
  return app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION }));
}

describe('check-run writes: a verdict is written only when what its check run shows changes', () => {
  it('opened, then 9 identical re-evaluations: 10 evaluations recorded, 1 write; the run names the first entry', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    for (let i = 0; i < 9; i += 1) await reevaluate(sim, app);

    const evaluations = await app.entries('evaluation');
    expect(evaluations).toHaveLength(10);
    expect(writes(sim)).toBe(1);
    expect(sim.counts()).toMatchObject({ 'POST /graphql': 10, [CREATE]: 1 });
    expect(ourRun(sim)).toMatchObject({ conclusion: 'SUCCESS', externalId: `ledger:${evaluations[0]!.seq}` });
    expect(ourRun(sim).output.summary).toContain(`Ledger entry #${evaluations[0]!.seq} `);
  });

  it('a changed verdict is written at once, either way, and then not again while it stays', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(ourRun(sim).conclusion).toBe('SUCCESS');

    s.review('carol', 'CHANGES_REQUESTED');
    sim.resetRequests();
    await reevaluate(sim, app);
    await reevaluate(sim, app);
    expect(sim.counts()).toEqual({ 'POST /graphql': 2, [UPDATE]: 1 });
    expect(ourRun(sim)).toMatchObject({ conclusion: 'FAILURE', output: { title: 'Not compliant: changes requested by @carol' } });

    s.approvedBy('carol');
    sim.resetRequests();
    await reevaluate(sim, app);
    await reevaluate(sim, app);
    expect(sim.counts()).toEqual({ 'POST /graphql': 2, [UPDATE]: 1 });
    expect(ourRun(sim).conclusion).toBe('SUCCESS');
    expect(await app.entries('evaluation')).toHaveLength(5);
  });

  it('evidence that changes under the same conclusion is written', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.check('lint', 'success');
    sim.resetRequests();
    await reevaluate(sim, app);
    expect(writes(sim)).toBe(1);
    expect(ourRun(sim)).toMatchObject({ conclusion: 'SUCCESS', output: { summary: expect.stringContaining('`lint`') } });
  });

  it('when GitHub no longer shows what was last written (another replica, a hand edit), the verdict is written again', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').review('carol', 'CHANGES_REQUESTED').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(ourRun(sim).conclusion).toBe('FAILURE');

    // Another writer turned the run green; this process remembers writing a failure.
    Object.assign(ourRun(sim), { conclusion: 'SUCCESS', completedAt: '2026-12-31T00:00:00Z', output: { title: 'Compliant', summary: 'ok', text: null } });
    sim.resetRequests();
    await reevaluate(sim, app);
    expect(writes(sim)).toBe(1);
    expect(ourRun(sim)).toMatchObject({ conclusion: 'FAILURE', output: { title: 'Not compliant: changes requested by @carol' } });

    // The same conclusion, written later by someone else (a later completion time): written again too.
    Object.assign(ourRun(sim), { completedAt: '2026-12-31T00:00:00Z', output: { title: 'Not compliant: something else', summary: 'stale', text: null } });
    sim.resetRequests();
    await reevaluate(sim, app);
    expect(writes(sim)).toBe(1);
    expect(ourRun(sim).output.title).toBe('Not compliant: changes requested by @carol');
  });

  it('a write that failed is never skipped: the same verdict is written by the next evaluation', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: { maxAttempts: 1 } });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    const first = ourRun(sim).output.summary;

    s.check('lint', 'success');
    sim.faults.add(UPDATE, { kind: 'status', status: 422, message: 'Validation Failed' });
    await reevaluate(sim, app);
    expect(sim.faults.served).toEqual([`${UPDATE}: status`]);
    expect(ourRun(sim).output.summary).toBe(first); // GitHub still shows the older verdict

    sim.resetRequests();
    await reevaluate(sim, app);
    expect(sim.counts()).toMatchObject({ [UPDATE]: 1 });
    expect(ourRun(sim).output.summary).toContain('lint');
  });

  it('"Re-run" on the check or its suite is always written, even when the verdict is unchanged', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    await reevaluate(sim, app);
    sim.resetRequests();
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ourRun(sim).id, 'rerequested', { installationId: INSTALLATION }));
    expect(sim.counts()).toEqual({ 'POST /graphql': 1, [UPDATE]: 1 });
    const evaluations = await app.entries('evaluation');
    expect(evaluations).toHaveLength(3);
    expect(ourRun(sim).externalId).toBe(`ledger:${evaluations[2]!.seq}`);

    // "Re-run all" on the suite, likewise.
    const suite = examplePayload('check_suite', 'rerequested');
    suite['check_suite'] = { ...suite['check_suite'], head_sha: s.headSha(), head_branch: s.pr().headRef, app: { id: APP_ID, slug: 'changeproof' }, pull_requests: [] };
    suite['repository'] = pullRequestPayload(sim, 'acme/api', 1, 'edited')['repository'];
    suite['installation'] = { id: INSTALLATION };
    sim.resetRequests();
    await app.deliverAndSettle('check_suite', suite);
    expect(writes(sim)).toBe(1);
    expect(ourRun(sim).externalId).toBe(`ledger:${(await app.entries('evaluation')).at(-1)!.seq}`);
  });
});
