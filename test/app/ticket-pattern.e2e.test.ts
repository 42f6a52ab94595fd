import { describe, expect, it } from 'vitest';
import type { ConfigErrorRecord, EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID, useApp } from '../support/app-harness.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload, pushPayload } from '../support/webhooks.js';

const POLICY = '.github/changeproof.yml';
const ourRuns = (sim: GitHubSimulator) => sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');

describe('ticket patterns in the running app', () => {
  const env = useApp();

  it('a pattern that once stalled the app for 26 s on a 28-character title: evaluated at once, on a 10 kB title too', async () => {
    const title = 'a'.repeat(10_240);
    const s = acmeScenario().file(POLICY, "change_request:\n  ticket_pattern: '([a-z]|[a-z0-9])*!'\n").pullRequest({ author: 'alice', title, headRef: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    const started = performance.now();
    const res = await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }));
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3_000);
    const run = ourRuns(sim).at(-1)!;
    expect(run.conclusion).toBe('FAILURE');
    expect(run.output.title).toBe('Not compliant: no ticket reference');
  });

  it('a pattern RE2 cannot run is a policy error naming the key, on the check run and, when pushed, in the ledger', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice', title: 'OPS-12 rate limits' }).approvedBy('bob').check('ci', 'success');
    const repo = s.currentRepository();
    const { sim, app } = await env.start(s);
    const before = repo.branches.get('main')!;
    s.file(POLICY, "peer_review:\n  required_approvals: 1\nchange_request:\n  ticket_pattern: '(?<=\\s)OPS-\\d+'\n", { author: 'carol' });
    const payload = pushPayload(sim, 'acme/api', { before, after: repo.branches.get('main')!, pusher: 'carol', installationId: INSTALLATION_ID });
    payload['commits'][0]['modified'] = [POLICY];
    await app.deliverAndSettle('push', payload);

    const [configError] = await app.entries('config_error');
    const problems = (configError!.data as unknown as ConfigErrorRecord).problems;
    expect(problems).toEqual([expect.objectContaining({ file: `acme/api:${POLICY}`, line: 4, key: 'change_request.ticket_pattern', message: expect.stringMatching(/^uses a lookbehind \(`\(\?<=`\)/) })]);
    const run = ourRuns(sim).at(-1)!;
    expect(run.conclusion).toBe('FAILURE');
    expect(run.output.title).toBe(`Not compliant: invalid policy file acme/api:${POLICY}:4`);
    expect(run.output.summary).toContain('`change_request.ticket_pattern`: uses a lookbehind');
    const evaluation = (await app.entries('evaluation')).at(-1)!.data as unknown as EvaluationRecord;
    expect(evaluation.policy).toMatchObject({ valid: false });
  });
});
