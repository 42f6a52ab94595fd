import { afterEach, describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { startApp, type RunningApp } from '../support/app-harness.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload } from '../support/webhooks.js';

const INSTALLATION = 77;
let sim: GitHubSimulator;
let app: RunningApp;
afterEach(async () => {
  await app?.close();
  await sim?.close();
});

function base() {
  return scenario().installation({ id: INSTALLATION, account: 'acme', appId: 4242 }).repo('acme/api').user('alice').user('bob');
}

function ourCheckRuns(s: GitHubSimulator) {
  return s.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
}

describe('pull request enforcement, end to end', () => {
  it('a compliant pull request gets a successful check run and an evaluation in the ledger', async () => {
    const s = base().pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    app = await startApp(sim);
    const res = await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(res.status).toBe(200);
    const runs = ourCheckRuns(sim);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ headSha: s.headSha(), status: 'COMPLETED', conclusion: 'SUCCESS' });
    expect(runs[0]!.output.title).toMatch(/^Compliant: approved by @bob/);
    const [entry] = await app.entries('evaluation');
    const record = entry!.data as unknown as EvaluationRecord;
    expect(entry).toMatchObject({ repo: 'acme/api', subject: 'pull/1' });
    expect(record.verdict.outcome).toBe('compliant');
    expect(record.trigger).toMatchObject({ event: 'pull_request', action: 'opened' });
    expect(record.facts?.headSha).toBe(s.headSha());
    expect(record.policy).toMatchObject({ valid: true, files: [] });
    console.log(sim.counts());
  });
});
