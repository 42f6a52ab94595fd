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
 * A single commit on top of a reviewed head, pushed to main so that GitHub
 * marks the pull request merged with it: in GitHub's name (unsigned), or made
 * in GitHub's web editor on a branch at the head (signed by GitHub). Neither
 * is a squash or a rebase GitHub made — those never descend from the reviewed
 * head — so the commit is not the pull request's: a direct push, rejected by
 * the deployment gate, on a first deployment too.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;
const GITHUB_SIGNED: SimSignature = { isValid: true, state: 'VALID', wasSignedByGitHub: true, signer: null };

/** X on top of the reviewed head, in GitHub's name, with a backdoor; pushed to main; #N marked merged with X. */
function commitOnReviewedHead(s: ScenarioBuilder, sim: GitHubSimulator, options: { signed: boolean }) {
  const repo = sim.world.repo('acme/api');
  const pr = s.pr();
  const before = repo.branches.get('main')!;
  const head = pr.commits.at(-1)!;
  expect(repo.commits.get(head)!.parents).toContain(before); // fast-forward: #N branched from main's head
  const github = { name: 'GitHub', email: 'noreply@github.com', date: sim.world.tick() };
  const mallory = { name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() };
  const after = s.makeCommit(s.currentRepository(), [head], `${pr.title} (#${pr.number})`, mallory, github, { 'src/backdoor.ts': 'export const open = true;\n' }, options.signed ? GITHUB_SIGNED : undefined);
  repo.branches.set('main', after);
  Object.assign(pr, { state: 'closed', mergedAt: sim.world.tick(), mergedBy: 'mallory', mergeCommitSha: after, closedAt: sim.world.now() });
  return { before, after };
}

describe('a single commit in GitHub\'s name on top of a reviewed head', () => {
  for (const signed of [false, true]) {
    const how = signed ? 'signed by GitHub (web editor)' : 'unsigned';
    it(`push: X (${how}) adding an unreviewed file is not counted as #2's`, async () => {
      const s = acmeScenario().user('mallory');
      const { sim, app } = await env.start(s, followSim);
      await mergeCompliant(s, sim, app);
      s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
      const { before, after } = commitOnReviewedHead(s, sim, { signed });
      expect(sim.world.repo('acme/api').commits.get(after)!.files.get('src/backdoor.ts')).toBeDefined();
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
      await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
      const push = data<PushRecord>((await app.entries('push')).at(-1));
      const exceptions = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e));
      // Either the push is a direct push naming X, or #2's change record is flagged.
      const flagged = push.unreviewed.includes(after) || exceptions.some((x) => x.type === 'direct_push' && x.reason.includes(after.slice(0, 7))) || exceptions.some((x) => x.subject === 'pull/2');
      expect({ introducedBy: push.commits.find((c) => c.sha === after)?.introducedBy?.number ?? null, flagged }).toEqual({ introducedBy: null, flagged: true });
    });

    it(`deployment gate: deploying X (${how}) after a compliant deployment is rejected`, async () => {
      const s = acmeScenario().user('mallory');
      const { sim, app } = await env.start(s, followSim);
      await mergeCompliant(s, sim, app);
      expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
      s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
      const { before, after } = commitOnReviewedHead(s, sim, { signed });
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
      await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
      const { answer, record } = await requestDeployment(sim, app, { sha: after });
      expect({ state: answer.body.state, offending: record.decision.offending.map((o) => o.sha).includes(after) }).toEqual({ state: 'rejected', offending: true });
    });

    it(`deployment gate: a first deployment of X (${how}) is rejected`, async () => {
      const s = acmeScenario().user('mallory');
      const { sim, app } = await env.start(s, followSim);
      s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
      const { after } = commitOnReviewedHead(s, sim, { signed });
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
      const { answer, record } = await requestDeployment(sim, app, { sha: after });
      expect({ state: answer.body.state, offending: record.decision.offending.map((o) => o.sha).includes(after) }).toEqual({ state: 'rejected', offending: true });
    });
  }
});

describe('what GitHub makes still counts', () => {
  for (const method of ['merge', 'squash', 'rebase'] as const) {
    it(`a ${method} merge with GitHub's button (a rebase's copies unsigned, as GitHub makes them) is the pull request's, with no exception`, async () => {
      const s = acmeScenario();
      const { sim, app } = await env.start(s, followSim);
      const before = sim.world.repo('acme/api').branches.get('main')!;
      s.pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol', method });
      const after = sim.world.repo('acme/api').branches.get('main')!;
      if (method === 'rebase') expect(sim.world.repo('acme/api').commits.get(after)!.signature).toBeUndefined();
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
      await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'carol', installationId: INSTALLATION }));
      const push = data<PushRecord>((await app.entries('push')).at(-1));
      expect(push.unreviewed).toEqual([]);
      expect(push.commits.map((c) => c.introducedBy?.number)).toEqual(push.commits.map(() => 1));
      expect((await app.entries('exception')).map((e) => data<ExceptionRecord>(e)).filter((x) => x.type === 'direct_push')).toEqual([]);
    });
  }
});
