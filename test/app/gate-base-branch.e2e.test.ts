import { describe, expect, it } from 'vitest';
import type { ExceptionRecord, PushRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import type { SimSignature } from '../support/simulator/world.js';
import { pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { followSim, mergeCompliant } from '../support/merge-and-push.js';
import { requestDeployment } from '../support/deployments.js';

/**
 * A pull request merged with GitHub's own button into a branch outside the
 * policy's scope (no review needed there), whose merge commit is then pushed to
 * main or deployed: the gate finds no change record for it and rejects it, and
 * the push to main is a direct push.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;
const GITHUB_SIGNED: SimSignature = { isValid: true, state: 'VALID', wasSignedByGitHub: true, signer: null };

/** #N against `scratch` (cut from main), merged there by GitHub's merge button, unreviewed. */
function mergeIntoScratch(s: ScenarioBuilder, sim: GitHubSimulator) {
  const repo = sim.world.repo('acme/api');
  const before = repo.branches.get('main')!;
  repo.branches.set('scratch', before);
  s.pullRequest({ author: 'mallory' }).commit({ files: { 'src/backdoor.ts': 'export const open = true;\n' } });
  const pr = s.pr();
  pr.baseRef = 'scratch';
  const head = pr.commits.at(-1)!;
  const github = { name: 'GitHub', email: 'noreply@github.com', date: sim.world.tick() };
  const mallory = { name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() };
  const merge = s.makeCommit(s.currentRepository(), [before, head], `Merge pull request #${pr.number} from acme/${pr.headRef}`, mallory, github, Object.fromEntries(repo.commits.get(head)!.files), GITHUB_SIGNED);
  repo.branches.set('scratch', merge);
  Object.assign(pr, { state: 'closed', mergedAt: sim.world.tick(), mergedBy: 'mallory', mergeCommitSha: merge, closedAt: sim.world.now() });
  return { before, merge, number: pr.number };
}

describe('the deployment gate and pull requests merged into another branch', () => {
  it('main fast-forwarded to an unreviewed merge into an out-of-scope branch: the push is flagged, and deploying it is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const { before, merge, number } = mergeIntoScratch(s, sim);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', number, 'closed', { installationId: INSTALLATION }));
    sim.world.repo('acme/api').branches.set('main', merge);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after: merge, pusher: 'mallory', installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push')).at(-1));
    expect(push.unreviewed).toContain(merge); // holds: the push record is not fooled
    expect((await app.entries('exception')).map((e) => data<ExceptionRecord>(e)).some((x) => x.type === 'direct_push')).toBe(true);
    const { answer, record } = await requestDeployment(sim, app, { sha: merge });
    expect({ state: answer.body.state, why: record.decision.commits.map((c) => c.why) }).toMatchObject({ state: 'rejected' });
  });

  it('deploying the out-of-scope merge commit straight from `scratch` is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const { merge, number } = mergeIntoScratch(s, sim);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', number, 'closed', { installationId: INSTALLATION }));
    const { answer, record } = await requestDeployment(sim, app, { sha: merge });
    expect({ state: answer.body.state, why: record.decision.commits.map((c) => c.why) }).toMatchObject({ state: 'rejected' });
  });
});
