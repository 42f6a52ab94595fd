import { describe, expect, it } from 'vitest';
import type { ExceptionRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { deploymentProtectionRulePayload, deploymentStatusPayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { followSim, mergeCompliant } from '../support/merge-and-push.js';
import { mainHead, requestDeployment } from '../support/deployments.js';

/**
 * The deployment gate tried as a developer who wants an unreviewed change deployed
 * with the gate's approval: through the policy, a bot, a failed deployment, other
 * refs, hand-made merges, rollbacks, large ranges, GitHub failing, racing requests.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

describe('the deployment gate against the people it checks', () => {
  // A direct push to main (past protection) that edits the policy to ungate production, plus a backdoor:
  // the policy on main's head is the unreviewed commit's own, so it cannot take production out of the gate.
  it('a directly pushed policy change that ungates production is not taken on trust by the gate', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const before = mainHead(sim);
    s.file('src/backdoor.ts', 'export const open = true;\n', { author: 'mallory' });
    s.file('.github/changeproof.yml', 'deployments:\n  environments: []\n', { author: 'mallory' });
    const after = mainHead(sim);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    // the push itself is flagged...
    expect((await app.entries('exception')).map((e) => data<ExceptionRecord>(e)).some((x) => x.type === 'direct_push')).toBe(true);
    // ...and deploying it is rejected, recorded as gated (so it is in the export's population).
    const { answer, record } = await requestDeployment(sim, app, { sha: after, sender: 'mallory' });
    expect(record.decision.gated).toBe(true);
    expect(answer.body.state).toBe('rejected');
    expect(answer.body.comment).toMatch(/the policy leaves `production` ungated, but acme\/api:\.github\/changeproof\.yml was last changed by commit [0-9a-f]{7}, which no merged pull request introduced/);
  });

  // deployer_must_differ_from_authors: the author gets a bot to start the deployment (e.g. a ChatOps workflow
  // dispatching the deploy workflow with GITHUB_TOKEN): the sender is github-actions[bot], the person unknown.
  it('deployer rule: a bot sender (the human deployer unknown) is not taken as "someone other than the authors"', async () => {
    const s = acmeScenario().bot('github-actions').file('.github/changeproof.yml', 'separation_of_duties:\n  deployer_must_differ_from_authors: true\n');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app, 'alice');
    const byAlice = await requestDeployment(sim, app, { sender: 'alice' });
    expect(byAlice.answer.body.state).toBe('rejected');
    const byBot = await requestDeployment(sim, app, { sender: 'github-actions[bot]' });
    expect(byBot.answer.body.state).toBe('rejected');
    expect(byBot.answer.body.comment).toContain('deployed by @github-actions[bot], not a person: who deployed cannot be established');
  });

  // A deployment GitHub reported as failed never reached the environment, so it is no base for the next range:
  // bob's deployment of alice's change is approved, then fails; alice then deploys the same SHA herself.
  it('deployer rule: an approved deployment that failed is not a base that exempts its commits from the rule', async () => {
    const s = acmeScenario().file('.github/changeproof.yml', 'separation_of_duties:\n  deployer_must_differ_from_authors: true\n');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app, 'carol');
    const first = await requestDeployment(sim, app, { sender: 'bob' });
    expect(first.answer.body.state).toBe('approved');
    await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId: Number(first.payload['deployment']['id']), sha: mainHead(sim), state: 'success', installationId: INSTALLATION }));
    await mergeCompliant(s, sim, app, 'alice');
    const byBob = await requestDeployment(sim, app, { sender: 'bob' });
    expect(byBob.answer.body.state).toBe('approved');
    await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId: Number(byBob.payload['deployment']['id']), sha: mainHead(sim), state: 'failure', installationId: INSTALLATION }));
    const byAlice = await requestDeployment(sim, app, { sender: 'alice' });
    expect(byAlice.answer.body.state).toBe('rejected');
    expect(byAlice.answer.body.comment).toContain('deployed by @alice, who wrote it');
  });

  // The same with an emergency change: approved while within its deadline, the deployment fails; after the
  // deadline, with no retrospective approval, a later deployment would carry it to production.
  it('an emergency change past its deadline reaches production through a later range when its approved deployment failed', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    const first = await requestDeployment(sim, app);
    expect(first.answer.body.state).toBe('approved');
    await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId: Number(first.payload['deployment']['id']), sha: mainHead(sim), state: 'success', installationId: INSTALLATION }));
    s.pullRequest({ author: 'alice' }).label('emergency').check('ci', 'success').merge({ by: 'carol' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
    const emergency = await requestDeployment(sim, app);
    expect(emergency.answer.body.state).toBe('approved');
    await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId: Number(emergency.payload['deployment']['id']), sha: mainHead(sim), state: 'failure', installationId: INSTALLATION }));
    sim.world.tick(49 * 60); // deadline passes, no retrospective approval
    await mergeCompliant(s, sim, app);
    const later = await requestDeployment(sim, app);
    expect(later.answer.body.state).toBe('rejected');
    expect(later.record.decision.commits.map((c) => c.why)).toContainEqual(expect.stringMatching(/emergency change past its deadline .* without a retrospective approval/));
  });
});

describe('deployments the gate judges whatever route they take', () => {
  it('environment names differing by case share one base: an unreviewed commit since "production" is still judged for "PRODUCTION"', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.file('src/hot.ts', 'x\n', { author: 'mallory' });
    const pushed = mainHead(sim);
    await mergeCompliant(s, sim, app);
    const r = await requestDeployment(sim, app, { environment: 'PRODUCTION' });
    expect(r.answer.body.state).toBe('rejected');
    expect(r.record.decision.offending.map((o) => o.sha)).toEqual([pushed]);
  });

  it('a ref (tag/branch) at main plus one unreviewed commit is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    await mergeCompliant(s, sim, app);
    const repo = sim.world.repo('acme/api');
    repo.branches.set('release', mainHead(sim));
    s.file('src/x.ts', 'x\n', { author: 'mallory', branch: 'release' });
    const tip = repo.branches.get('release')!;
    const r = await requestDeployment(sim, app, { sha: tip });
    expect(r.answer.body.state).toBe('rejected');
    expect(r.record.decision.offending.map((o) => o.sha)).toEqual([tip]);
  });

  it('a hand-made merge of main with an unreviewed branch is rejected, naming both the merge and the branch commit', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const repo = sim.world.repo('acme/api');
    const base = mainHead(sim);
    repo.branches.set('evil', base);
    s.file('src/evil.ts', 'x\n', { author: 'mallory', branch: 'evil' });
    const evil = repo.branches.get('evil')!;
    await mergeCompliant(s, sim, app);
    const m = { name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() };
    const merge = s.makeCommit(repo, [mainHead(sim), evil], "Merge branch 'evil'", m, m, Object.fromEntries(repo.commits.get(evil)!.files));
    const r = await requestDeployment(sim, app, { sha: merge });
    expect(r.answer.body.state).toBe('rejected');
    expect(r.record.decision.offending.map((o) => o.sha).sort()).toEqual([evil, merge].sort());
  });

  it('the open pull request\'s head (e.g. a fork\'s commit) is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.pullRequest({ author: 'mallory' }).approvedBy('bob').check('ci', 'success');
    const r = await requestDeployment(sim, app, { sha: s.headSha() });
    expect(r.answer.body.state).toBe('rejected');
  });

  it('a rollback to an old direct-push commit on main is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    s.file('src/old.ts', 'x\n', { author: 'mallory' });
    const old = mainHead(sim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    const r = await requestDeployment(sim, app, { sha: old });
    expect(r.record.facts.rangeStatus).toBe('behind');
    expect(r.answer.body.state).toBe('rejected');
  });

  it('a range of 260 commits (past GitHub\'s 250 unpaged limit) with the oldest one unreviewed is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.file('src/first.ts', 'x\n', { author: 'mallory' });
    const oldest = mainHead(sim);
    for (let i = 0; i < 259; i += 1) s.file(`src/f${i}.ts`, `${i}\n`, { author: 'mallory' });
    const r = await requestDeployment(sim, app);
    expect(r.answer.body.state).toBe('rejected');
    expect(r.record.decision.offending.map((o) => o.sha)).toContain(oldest);
    expect(r.record.facts.commits).toHaveLength(260);
  }, 60_000);

  it('GitHub failing on commit→pull-request associations through every attempt rejects (never approves)', async () => {
    const s = acmeScenario();
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    await mergeCompliant(s, sim, app);
    sim.faults.add('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { kind: 'status', status: 502 }, 100);
    const r = await requestDeployment(sim, app);
    expect(r.answer.body.state).toBe('rejected');
    sim.faults.clear();
  });

  it('two racing requests: the one carrying a direct push is rejected even when delivered together with an approved one', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    await mergeCompliant(s, sim, app);
    const good = mainHead(sim);
    s.file('src/x.ts', 'x\n', { author: 'mallory' });
    const bad = mainHead(sim);
    const before = sim.world.protectionCallbacks.length;
    const p1 = deploymentProtectionRulePayload(sim, 'acme/api', { sha: good, installationId: INSTALLATION, sender: 'carol' });
    const p2 = deploymentProtectionRulePayload(sim, 'acme/api', { sha: bad, installationId: INSTALLATION, sender: 'carol' });
    await Promise.all([app.deliver('deployment_protection_rule', p1), app.deliver('deployment_protection_rule', p2)]);
    await app.worker.idle();
    const answers = sim.world.protectionCallbacks.slice(before);
    expect(answers).toHaveLength(2);
    const byRun = (p: Record<string, unknown>) => answers.find((a) => p['deployment_callback_url'] && String(p['deployment_callback_url']).includes(`/runs/${a.runId}/`));
    expect(byRun(p2)?.body.state).toBe('rejected');
    expect(byRun(p1)?.body.state).toBe('approved');
  });

  it('an unreviewed commit between two approved deployments is not forgotten after a rejected request', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.file('src/x.ts', 'x\n', { author: 'mallory' });
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('rejected');
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('rejected');
  });
});
