import { afterEach, describe, expect, test, vi } from 'vitest';
import { collectChange } from '../../src/github/collect-change.js';
import { PolicyCache } from '../../src/github/policy-cache.js';
import { scenario, type ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const now = () => new Date('2026-03-05T12:00:00Z');
const POLICY = '.github/changeproof.yml';
const pr1 = { owner: 'acme', repo: 'api', number: 1 };
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A pull request at the one-query limit: 100 commits, 100 reviews, 100 checks (60 runs, 40 statuses), 100 labels. */
function fullPullRequest(s: ScenarioBuilder): ScenarioBuilder {
  s.pullRequest({ author: 'alice', commits: 100, labels: Array.from({ length: 100 }, (_, i) => `label-${i}`) });
  for (let i = 0; i < 100; i += 1) s.review(`reviewer-${i}`, 'APPROVED');
  for (let i = 0; i < 60; i += 1) s.check(`job-${i}`, 'success');
  for (let i = 0; i < 40; i += 1) s.status(`ext/${i}`, 'success');
  return s;
}

describe('API cost of one evaluation, measured by the simulator', () => {
  test('up to 100 of everything: exactly 1 GraphQL request, the policy included, every time', async () => {
    const s = fullPullRequest(
      scenario().repo('acme/.github', { files: { [POLICY]: 'checks:\n  min_passing: 2\n' } }).repo('acme/api', { files: { [POLICY]: '_extends: .github\n' } }),
    );
    sim = await startGitHubSimulator(s);
    const cache = new PolicyCache();
    const parse = vi.spyOn(cache, 'rememberLayer');

    const cold = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
    expect(cold.facts.gaps).toEqual([]);
    expect([cold.facts.commits.length, cold.facts.reviews.length, cold.facts.checks.length, cold.facts.labels.length]).toEqual([100, 100, 100, 100]);
    expect(cold.policy).toMatchObject({ ok: true, policy: { checks: { min_passing: 2 } } });
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });

    sim.resetRequests();
    const warm = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
    expect(warm.policy).toEqual(cold.policy);
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
    expect(parse).toHaveBeenCalledTimes(2); // the two files, parsed once each
  });

  test('an _extends into a third repository: one REST read the first time, then none', async () => {
    const s = fullPullRequest(
      scenario()
        .repo('acme/policies', { files: { 'soc2.yml': 'peer_review:\n  required_approvals: 2\n' } })
        .repo('acme/api', { files: { [POLICY]: '_extends: policies:soc2.yml\n' } }),
    );
    sim = await startGitHubSimulator(s);
    const cache = new PolicyCache();

    const cold = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
    expect(cold.policy).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 2 } } });
    expect(sim.counts()).toEqual({ 'POST /graphql': 1, 'GET /repos/{owner}/{repo}/contents/{path}': 1 });

    for (let i = 0; i < 2; i += 1) {
      sim.resetRequests();
      const warm = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
      if (!warm.policy.ok || !cold.policy.ok) throw new Error('expected valid policies');
      expect(warm.policy.policy).toEqual(cold.policy.policy);
      expect(warm.policy.source.files.map((f) => f.blobSha)).toEqual(cold.policy.source.files.map((f) => f.blobSha));
      expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
    }
  });

  test('a changed policy on the default branch is picked up by the same single request', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: 'peer_review:\n  required_approvals: 1\n' } });
    fullPullRequest(s);
    sim = await startGitHubSimulator(s);
    const cache = new PolicyCache();
    await collectChange(simulatorOctokit(sim), pr1, { now, cache });
    s.file(POLICY, 'peer_review:\n  required_approvals: 2\n');
    sim.resetRequests();
    const after = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
    expect(after.policy).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 2 } } });
    expect(sim.count()).toBe(1);
  });
});
