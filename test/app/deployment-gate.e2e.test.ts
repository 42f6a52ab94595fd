import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../src/core/records.js';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { deploymentStatusPayload, pullRequestPayload } from '../support/webhooks.js';
import { mainHead, requestDeployment } from '../support/deployments.js';

const env = useApp();

/** The app's clock follows the scenario's, a minute ahead (deadlines are judged against it). */
const followSim = (sim: GitHubSimulator) => ({ clock: () => new Date(Date.parse(sim.world.now()) + 60_000) });


/** Merges a new pull request (its webhook delivered, so its change is recorded). */
async function mergePullRequest(s: ScenarioBuilder, sim: GitHubSimulator, app: RunningApp, build: (s: ScenarioBuilder) => ScenarioBuilder = (x) => x.approvedBy('bob').check('ci', 'success')) {
  build(s.pullRequest({ author: 'alice' })).merge({ by: 'carol' });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
}


describe('deployment gate, end to end', () => {
  it('a range of compliant changes is approved; the decision is recorded with its evidence', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    const first = await requestDeployment(sim, app);
    expect(first.answer).toMatchObject({ owner: 'acme', repo: 'api', body: { environment_name: 'production', state: 'approved' } });
    expect(first.answer.body.comment).toMatch(/^✅ Changeproof: Approved: 1 commit \(first deployment to production: the change that produced [0-9a-f]{7}\), 1 change \(#1\), all compliant\.\nFull evidence: Changeproof ledger entry #\d+/);
    expect(first.record.facts).toMatchObject({ rangeStatus: 'first', baseSha: null, sha: mainHead(sim), deployer: 'carol' });

    await mergePullRequest(s, sim, app);
    await mergePullRequest(s, sim, app);
    const second = await requestDeployment(sim, app);
    expect(second.answer.body.state).toBe('approved');
    expect(second.record.facts).toMatchObject({ rangeStatus: 'ahead', baseSha: first.record.facts.sha });
    expect(second.record.decision.changes).toEqual(['pull/2', 'pull/3']);
    expect(second.record.facts.commits.every((c) => c.change?.outcome === 'compliant')).toBe(true);
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).ok).toBe(true);
  });

  it('a range with a direct-push commit is rejected, listing it', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    await requestDeployment(sim, app);
    s.file('src/hotfix.ts', 'export const hot = 1;\n', { author: 'mallory' });
    const pushed = mainHead(sim);
    const { answer, record } = await requestDeployment(sim, app);
    expect(answer.body.state).toBe('rejected');
    expect(answer.body.comment).toContain(`- ${pushed.slice(0, 7)} by @mallory: no change record: no merged pull request's merge commit on the deployed history contains it (pushed directly, or an intermediate commit of a pull request)`);
    expect(record.decision.offending.map((o) => o.sha)).toEqual([pushed]);
  });

  it('an intermediate commit of a reviewed pull request is not what was approved: deploying it is rejected', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app, (x) => x.commit().approvedBy('bob').check('ci', 'success'));
    const intermediate = s.pr().commits[0]!;
    const { answer, record } = await requestDeployment(sim, app, { sha: intermediate });
    expect(answer.body.state).toBe('rejected');
    expect(record.decision.offending).toEqual([expect.objectContaining({ sha: intermediate, why: expect.stringContaining('an intermediate commit of a pull request') })]);
  });

  it('a rollback is judged by the commit it deploys: an earlier compliant merge is approved, a commit from inside a pull request is not', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app, (x) => x.commit().approvedBy('bob').check('ci', 'success'));
    const firstMerge = mainHead(sim);
    const inside = s.pr().commits[0]!;
    await mergePullRequest(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const rollback = await requestDeployment(sim, app, { sha: firstMerge });
    expect(rollback.record.facts).toMatchObject({ rangeStatus: 'behind', commits: [expect.objectContaining({ sha: firstMerge, pullRequest: expect.objectContaining({ number: 1 }) })] });
    expect(rollback.answer.body.state).toBe('approved');
    const backToInside = await requestDeployment(sim, app, { sha: inside });
    expect(backToInside.answer.body.state).toBe('rejected');
    expect(backToInside.record.decision.offending.map((o) => o.sha)).toEqual([inside]);
  });

  it('a range with a non-compliant merged pull request is rejected', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    await requestDeployment(sim, app);
    await mergePullRequest(s, sim, app, (x) => x.check('ci', 'failure'));
    const { answer } = await requestDeployment(sim, app);
    expect(answer.body.state).toBe('rejected');
    expect(answer.body.comment).toContain('#2: merged non-compliant');
  });

  it('an emergency change within its deadline is approved', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app, (x) => x.label('emergency').check('ci', 'success'));
    const { answer, record } = await requestDeployment(sim, app);
    expect(answer.body.state).toBe('approved');
    expect(record.decision.commits.map((c) => c.why)).toEqual([expect.stringMatching(/^#1: emergency change within its deadline \(\S+Z\)$/)]);
  });

  it('an emergency change past its deadline without a retrospective approval is rejected', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app, (x) => x.label('emergency').check('ci', 'success'));
    sim.world.tick(49 * 60); // two days and an hour later, still no approval
    const { answer } = await requestDeployment(sim, app);
    expect(answer.body.state).toBe('rejected');
    expect(answer.body.comment).toMatch(/#1: emergency change past its deadline \(\S+Z\) without a retrospective approval/);
  });

  it('an environment the policy does not gate is approved with a comment saying so, and recorded', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    s.file('src/direct.ts', 'export const d = 1;\n', { author: 'bob' });
    const { answer, record } = await requestDeployment(sim, app, { environment: 'preview' });
    expect(answer.body).toMatchObject({ state: 'approved', environment_name: 'preview' });
    expect(answer.body.comment).toContain('Environment preview is not gated by the Changeproof policy (deployments.environments: production).');
    expect(record.decision.gated).toBe(false);
  });

  it('a GitHub error while listing the range rejects the deployment with the reason; a re-request re-evaluates', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    await requestDeployment(sim, app);
    await mergePullRequest(s, sim, app);
    sim.faults.add('GET /repos/{owner}/{repo}/compare/{basehead}', { kind: 'status', status: 502 }, 40);
    const { answer } = await requestDeployment(sim, app);
    expect(answer.body.state).toBe('rejected');
    expect(answer.body.comment).toMatch(/Could not establish what [0-9a-f]{7} deploys: .*502/);
    sim.faults.clear();
    const again = await requestDeployment(sim, app);
    expect(again.answer.body.state).toBe('approved');
  });

  it('the deployer rule: a deployer who wrote a deployed change is rejected', async () => {
    const s = acmeScenario().file('.github/changeproof.yml', 'separation_of_duties:\n  deployer_must_differ_from_authors: true\n');
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    const byAuthor = await requestDeployment(sim, app, { sender: 'alice' });
    expect(byAuthor.answer.body.state).toBe('rejected');
    expect(byAuthor.answer.body.comment).toContain('deployed by @alice, who wrote it (separation_of_duties.deployer_must_differ_from_authors)');
    const byOther = await requestDeployment(sim, app, { sender: 'bob' });
    expect(byOther.answer.body.state).toBe('approved');
  });

  it('deployments and their statuses are recorded, linked to the decision and the changes they carry', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergePullRequest(s, sim, app);
    const { payload, entry } = await requestDeployment(sim, app);
    const deploymentId = Number(payload['deployment']['id']);
    await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId, sha: mainHead(sim), state: 'success', installationId: INSTALLATION }));
    const [deployment] = await app.entries('deployment');
    expect(deployment).toMatchObject({ subject: `deployment/${deploymentId}` });
    const record = deployment!.data as unknown as DeploymentRecord;
    expect(record).toMatchObject({ deploymentId, environment: 'production', sha: mainHead(sim), state: 'success', gated: true, changes: ['pull/1'], decision: { seq: entry.seq, hash: entry.hash, state: 'approved' } });
    expect(Date.parse(record.decision!.decidedAt)).toBeLessThanOrEqual(Date.parse(record.at!) + 60_000);
  });
});
