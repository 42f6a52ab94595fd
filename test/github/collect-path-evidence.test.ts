import { afterEach, describe, expect, test } from 'vitest';
import type { ChangeFacts } from '../../src/core/facts.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { CodeOwnersEvidence, Verdict } from '../../src/core/policy/verdict.js';
import type { PolicyLoad } from '../../src/github/load-policy.js';
import { collectChange } from '../../src/github/collect-change.js';
import { PolicyCache } from '../../src/github/policy-cache.js';
import { scenario, type ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { gitBlobSha } from '../support/simulator/world.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const POLICY = '.github/changeproof.yml';
const NOW = new Date('2026-03-05T12:00:00Z');
const now = () => NOW;
const pr1 = { owner: 'acme', repo: 'api', number: 1 };
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const INFRA = "peer_review:\n  rules:\n    - name: infrastructure\n      paths: ['terraform/**']\n      from: ['@acme/sre']\n";
const CODE_OWNERS = 'peer_review:\n  code_owners: true\n';
const KEEP = 'peer_review:\n  keep_approvals_on_update_merge: true\n';

async function judge(s: ScenarioBuilder, cache = new PolicyCache()): Promise<{ facts: ChangeFacts; policy: PolicyLoad; verdict: Verdict }> {
  sim ??= await startGitHubSimulator(s);
  const { facts, policy } = await collectChange(simulatorOctokit(sim), pr1, { now, cache });
  if (!policy.ok) throw new Error('expected a valid policy');
  return { facts, policy, verdict: evaluate(policy.policy, facts, NOW) };
}
const rule = (v: Verdict, id: string) => v.rules.find((r) => r.rule === id)!;

describe('path rules with a team, read from the simulator', () => {
  test('a member of the team satisfies the rule; the evidence names the files and the team as read', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: INFRA } }).team('acme/sre', ['dave']);
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { 'terraform/main.tf': 'resource "x" {}\n' } }).approvedBy('dave').check('ci', 'success');
    const { facts, verdict } = await judge(s);
    expect(facts.changedFiles).toEqual([{ path: 'terraform/main.tf', previousPath: null, changeType: 'ADDED' }]);
    expect(facts.teams).toEqual([{ team: 'acme/sre', members: ['dave'], readAt: '2026-03-05T12:00:00Z' }]);
    expect(verdict.outcome).toBe('compliant');
    expect(rule(verdict, 'path_rule').evidence).toMatchObject({ matchedFiles: ['terraform/main.tf'], approvers: [{ login: 'dave', counts: true, detail: 'as @acme/sre' }] });
  });

  test('an app without `members: read` cannot read the team: error, saying which permission to grant', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: INFRA } }).team('acme/sre', ['dave']);
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { 'terraform/main.tf': 'x\n' } }).approvedBy('dave').check('ci', 'success');
    s.world.membersPermission = false;
    const { facts, verdict } = await judge(s);
    expect(facts.gaps).toEqual([expect.objectContaining({ what: 'teams', reason: expect.stringMatching(/@acme\/sre could not be read: FORBIDDEN/) })]);
    expect(verdict.outcome).toBe('error');
    expect(verdict.rules[0]!.toPass).toMatch(/`members: read`/);
  });

  test('a team that does not exist is a gap too, never an empty team', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: INFRA } });
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { 'terraform/main.tf': 'x\n' } }).approvedBy('dave').check('ci', 'success');
    const { verdict } = await judge(s);
    expect(verdict.outcome).toBe('error');
    expect(verdict.error).toMatch(/no team sre in acme/);
  });
});

describe('CODEOWNERS from the base branch only', () => {
  test("a pull request that rewrites CODEOWNERS is judged by the base branch's file", async () => {
    const owners = '* @acme/core\n';
    const s = scenario().repo('acme/api', { files: { [POLICY]: CODE_OWNERS, '.github/CODEOWNERS': owners } }).team('acme/core', ['bob']);
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { '.github/CODEOWNERS': '* @carol\n', 'src/app.ts': 'x\n' } }).approvedBy('carol').check('ci', 'success');
    const first = await judge(s);
    expect(first.verdict.outcome).toBe('pending');
    const evidence = rule(first.verdict, 'code_owners').evidence as CodeOwnersEvidence;
    expect(evidence.source).toMatchObject({ ref: 'main', path: '.github/CODEOWNERS', blobSha: gitBlobSha(owners) });
    expect(evidence.files.map((f) => [f.path, f.owners])).toEqual([['.github/CODEOWNERS', ['@acme/core']], ['src/app.ts', ['@acme/core']]]);

    s.approvedBy('bob');
    expect((await judge(s)).verdict.outcome).toBe('compliant');
  });

  test.each(['merge', 'squash', 'rebase'] as const)(
    'merged (%s) over the owners: the record judges the owners from before the merge, not the CODEOWNERS it brought in',
    async (method) => {
      const owners = '* @acme/core\n';
      const s = scenario().repo('acme/api', { files: { [POLICY]: CODE_OWNERS, '.github/CODEOWNERS': owners } }).team('acme/core', ['bob']).user('carol');
      s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { '.github/CODEOWNERS': '* @carol\n' } }).commit({ files: { 'src/app.ts': 'x\n' } });
      s.approvedBy('carol').check('ci', 'success').merge({ by: 'admin', method });
      const { facts, verdict } = await judge(s);
      expect(facts.codeOwners?.file?.text).toBe(owners);
      expect(verdict.stage).toBe('merge');
      expect(verdict.outcome).toBe('non_compliant');
      expect(rule(verdict, 'code_owners').status).toBe('fail');
    },
  );

  test('GitHub looks in .github/ first, then the root, then docs/', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: CODE_OWNERS, CODEOWNERS: '* @carol\n', 'docs/CODEOWNERS': '* @dave\n' } });
    s.pullRequest({ author: 'alice' }).approvedBy('carol').check('ci', 'success');
    const { verdict } = await judge(s);
    expect((rule(verdict, 'code_owners').evidence as CodeOwnersEvidence).source.path).toBe('CODEOWNERS');
    expect(verdict.outcome).toBe('compliant');
  });
});

describe('approvals kept through "Update branch"', () => {
  function approvedThenUpdated(): ScenarioBuilder {
    const s = scenario().repo('acme/api', { files: { [POLICY]: KEEP, 'src/app.ts': 'v0\n' } });
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ files: { 'src/app.ts': 'v1\n' } }).approvedBy('bob').check('ci', 'success');
    return s;
  }

  test('a clean merge of the base branch keeps the approval', async () => {
    const s = approvedThenUpdated();
    s.file('README.md', '# api, documented\n', { author: 'carol' });
    s.updateBranch('alice').check('ci', 'success');
    const { facts, verdict } = await judge(s);
    expect(facts.updateMerges).toHaveLength(1);
    expect(verdict.outcome).toBe('compliant');
    expect(rule(verdict, 'peer_review').seen).toMatch(/Counted: @bob/);
  });

  test('a merge that resolved a conflict voids it', async () => {
    const s = approvedThenUpdated();
    s.file('src/app.ts', 'v0 fixed on main\n', { author: 'carol' });
    s.updateBranch('alice', { resolve: { 'src/app.ts': 'v1 and the fix\n' } }).check('ci', 'success');
    const { verdict } = await judge(s);
    expect(verdict.outcome).toBe('pending');
    expect(rule(verdict, 'peer_review').seen).toMatch(/the merges changed src\/app\.ts in the change/);
  });

  test('a merge that kept the pull request side of a conflict (reverting main) voids it', async () => {
    const s = approvedThenUpdated();
    s.file('src/app.ts', 'v0 fixed on main\n', { author: 'carol' });
    s.updateBranch('alice').check('ci', 'success');
    const { verdict } = await judge(s);
    expect(verdict.outcome).toBe('pending');
    expect(rule(verdict, 'peer_review').seen).toMatch(/the base branch also changed src\/app\.ts/);
  });

  test('at merge, the merges are judged against the base branch as it was before the merge (a sneaked edit still voids)', async () => {
    const s = approvedThenUpdated();
    s.file('README.md', '# api\n\nmore\n', { author: 'carol' });
    s.updateBranch('alice', { files: { 'src/auth.ts': 'export const bypass = true;\n' } }).check('ci', 'success').merge({ by: 'admin' });
    const { verdict } = await judge(s);
    expect(verdict.stage).toBe('merge');
    expect(verdict.outcome).toBe('non_compliant');
    expect(rule(verdict, 'peer_review').seen).toMatch(/the merges added src\/auth\.ts to the change/);
  });

  test('at merge, a clean update merge still keeps the approval', async () => {
    const s = approvedThenUpdated();
    s.file('README.md', '# api\n\nmore\n', { author: 'carol' });
    s.updateBranch('alice').check('ci', 'success').merge({ by: 'carol' });
    const { verdict } = await judge(s);
    expect(verdict.stage).toBe('merge');
    expect(verdict.outcome).toBe('compliant');
  });

  test('a merge that slipped in an edit voids it', async () => {
    const s = approvedThenUpdated();
    s.file('README.md', '# api\n\nmore\n', { author: 'carol' });
    s.updateBranch('alice', { files: { 'src/auth.ts': 'export const bypass = true;\n' } }).check('ci', 'success');
    const { verdict } = await judge(s);
    expect(verdict.outcome).toBe('pending');
    expect(rule(verdict, 'peer_review').seen).toMatch(/the merges added src\/auth\.ts to the change/);
  });
});
