import { afterEach, describe, expect, test } from 'vitest';
import { evaluate } from '../../src/core/policy/evaluate.js';
import { collectChange } from '../../src/github/collect-change.js';
import { PolicyCache } from '../../src/github/policy-cache.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const POLICY = '.github/changeproof.yml';
const pr1 = { owner: 'acme', repo: 'api', number: 1 };
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const RULES_AND_OWNERS = "peer_review:\n  code_owners: true\n  rules:\n    - name: infrastructure\n      paths: ['terraform/**']\n      from: ['@acme/sre']\n";

describe('API cost of path rules, teams and CODEOWNERS, measured by the simulator', () => {
  test('first evaluation: 1 + 1 GraphQL + 1 per team; then 1 GraphQL while team memberships are fresh (5 minutes)', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: RULES_AND_OWNERS, '.github/CODEOWNERS': '* @acme/core\n' } }).team('acme/sre', ['dave']).team('acme/core', ['bob']);
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { 'terraform/main.tf': 'x\n', 'src/app.ts': 'y\n' } }).approvedBy('dave').approvedBy('bob').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const cache = new PolicyCache();
    let clock = new Date('2026-03-05T12:00:00Z');
    const run = async () => {
      sim!.resetRequests();
      const { facts, policy } = await collectChange(simulatorOctokit(sim!), pr1, { now: () => clock, cache });
      if (!policy.ok) throw new Error('expected a valid policy');
      return evaluate(policy.policy, facts, clock).outcome;
    };

    expect(await run()).toBe('compliant');
    expect(sim.counts()).toEqual({ 'POST /graphql': 4 }); // the pull request, its files and CODEOWNERS, two teams

    clock = new Date('2026-03-05T12:04:00Z');
    expect(await run()).toBe('compliant');
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 }); // files and CODEOWNERS now ride in the pull request's query

    clock = new Date('2026-03-05T12:10:00Z');
    expect(await run()).toBe('compliant');
    expect(sim.counts()).toEqual({ 'POST /graphql': 3 }); // the memberships are read again
  });

  test('a policy without the new keys still costs exactly 1 GraphQL request', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: 'peer_review:\n  required_approvals: 1\n' } });
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const cache = new PolicyCache();
    for (let i = 0; i < 2; i += 1) {
      sim.resetRequests();
      const { facts } = await collectChange(simulatorOctokit(sim), pr1, { now: () => new Date('2026-03-05T12:00:00Z'), cache });
      expect(facts.changedFiles).toBeUndefined();
      expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
    }
  });

  test('an approval kept through "Update branch": 3 REST compares for the approved commit', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: 'peer_review:\n  keep_approvals_on_update_merge: true\n' } });
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.file('README.md', 'moved on\n').updateBranch('alice').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const { facts, policy } = await collectChange(simulatorOctokit(sim), pr1, { now: () => new Date('2026-03-05T12:00:00Z'), cache: new PolicyCache() });
    if (!policy.ok) throw new Error('expected a valid policy');
    expect(evaluate(policy.policy, facts, new Date('2026-03-05T12:00:00Z')).outcome).toBe('compliant');
    expect(sim.counts()).toEqual({ 'POST /graphql': 1, 'GET /repos/{owner}/{repo}/compare/{basehead}': 3 });
  });
});
