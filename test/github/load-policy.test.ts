import { afterEach, describe, expect, test, vi } from 'vitest';
import { PolicyError } from '../../src/config/parse-policy.js';
import { collectChange } from '../../src/github/collect-change.js';
import { loadPolicy } from '../../src/github/load-policy.js';
import { PolicyCache } from '../../src/github/policy-cache.js';
import { scenario, type ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';
import { gitBlobSha } from '../support/simulator/world.js';

const now = () => new Date('2026-03-05T12:00:00Z');
const POLICY = '.github/changeproof.yml';
const api = { owner: 'acme', repo: 'api' };
const pr1 = { ...api, number: 1 };
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(s: ScenarioBuilder) {
  sim = await startGitHubSimulator(s);
  return { sim, octokit: simulatorOctokit(sim), cache: new PolicyCache() };
}

describe('loading the policy', () => {
  test('no file anywhere gives the defaults with an empty source', async () => {
    const { octokit, cache } = await start(scenario().repo('acme/api').pullRequest({ author: 'alice' }));
    const { policy } = await collectChange(octokit, pr1, { now, cache });
    expect(policy).toMatchObject({ ok: true, source: { files: [] }, policy: { peer_review: { required_approvals: 1 } } });
    expect(await loadPolicy(octokit, api, { cache })).toEqual(policy);
  });

  test('only the default branch counts: a pull request that weakens the policy is judged by the old one', async () => {
    const strict = 'peer_review:\n  required_approvals: 2\n';
    const s = scenario()
      .repo('acme/api', { files: { [POLICY]: strict } })
      .pullRequest({ author: 'mallory', commits: 0 })
      .commit({ files: { [POLICY]: 'peer_review:\n  required_approvals: 0\n' } });
    const { octokit, cache } = await start(s);
    const { policy } = await collectChange(octokit, pr1, { now, cache });
    expect(policy).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 2 } } });
    expect(policy.source.files).toEqual([
      { repository: 'acme/api', path: POLICY, blobSha: gitBlobSha(strict), ref: 'main', commitSha: s.currentRepository().branches.get('main') },
    ]);
    expect(await loadPolicy(octokit, api, { cache })).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 2 } } });
  });

  test('_extends: .github merges the organisation file underneath (repository wins, lists merge)', async () => {
    const org = 'checks:\n  required: [build]\n  min_passing: 2\npeer_review:\n  required_approvals: 3\n';
    const own = '_extends: .github\nchecks:\n  required: [test]\npeer_review:\n  required_approvals: 2\n';
    const s = scenario().repo('acme/.github', { files: { [POLICY]: org } }).repo('acme/api', { files: { [POLICY]: own } }).pullRequest({ author: 'alice' });
    const { octokit, cache, sim } = await start(s);
    const { policy } = await collectChange(octokit, pr1, { now, cache });
    expect(policy).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 2 }, checks: { required: ['build', 'test'], min_passing: 2 } } });
    expect(policy.source.files.map((f) => [f.repository, f.blobSha])).toEqual([
      ['acme/.github', gitBlobSha(org)],
      ['acme/api', gitBlobSha(own)],
    ]);
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
  });

  test('a repository without a file falls back to the organisation .github file', async () => {
    const org = 'emergency:\n  label: hotfix\n';
    const { octokit, cache } = await start(scenario().repo('acme/.github', { files: { [POLICY]: org } }).repo('acme/api').pullRequest({ author: 'alice' }));
    const { policy } = await collectChange(octokit, pr1, { now, cache });
    expect(policy).toMatchObject({ ok: true, policy: { emergency: { label: 'hotfix' } }, source: { files: [{ repository: 'acme/.github', path: POLICY }] } });
    expect(await loadPolicy(octokit, api, { cache })).toMatchObject({ ok: true, policy: { emergency: { label: 'hotfix' } } });
  });

  test('the other _extends forms: owner/repo and repo:path', async () => {
    const s = scenario()
      .repo('acme/policies', { files: { 'base.yml': 'change_request:\n  ticket_pattern: "OPS-\\\\d+"\n', [POLICY]: 'emergency:\n  label: sev1\n' } })
      .repo('acme/api', { files: { [POLICY]: '_extends: policies:base.yml\n' } })
      .repo('acme/web', { files: { [POLICY]: '_extends: acme/policies\n' } });
    const { octokit, cache } = await start(s);
    expect(await loadPolicy(octokit, api, { cache })).toMatchObject({ ok: true, policy: { change_request: { ticket_pattern: 'OPS-\\d+' } } });
    expect(await loadPolicy(octokit, { owner: 'acme', repo: 'web' }, { cache })).toMatchObject({ ok: true, policy: { emergency: { label: 'sev1' } } });
  });

  test('a broken file is a PolicyError naming the file, line and key, never the defaults', async () => {
    const { octokit, cache } = await start(
      scenario().repo('acme/api', { files: { [POLICY]: 'peer_review:\n  required_approvals: eleven\n' } }).pullRequest({ author: 'alice' }),
    );
    const { facts, policy } = await collectChange(octokit, pr1, { now, cache });
    expect(facts.gaps).toEqual([]);
    expect(policy.ok).toBe(false);
    if (policy.ok) return;
    expect(policy.error).toBeInstanceOf(PolicyError);
    expect(policy.error.problems[0]).toMatchObject({ file: 'acme/api:.github/changeproof.yml', line: 2, key: 'peer_review.required_approvals' });
    expect(policy.source.files).toHaveLength(1);
  });

  test('an _extends target that does not exist is an error on the _extends line', async () => {
    const { octokit, cache } = await start(scenario().repo('acme/api', { files: { [POLICY]: '# base\n_extends: .github\n' } }));
    const load = await loadPolicy(octokit, api, { cache });
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.error.problems[0]).toMatchObject({ file: 'acme/api:.github/changeproof.yml', line: 2, key: '_extends' });
    expect(load.error.message).toContain('acme/.github:.github/changeproof.yml, which does not exist');
  });

  test("an _extends into another owner's repository is a config error naming the key, and nothing is read from it", async () => {
    const lax = 'scope:\n  branches: [nothing-matches-this]\n';
    const s = scenario()
      .repo('someone-else/cfg', { files: { [POLICY]: lax } })
      .repo('acme/api', { files: { [POLICY]: 'peer_review:\n  required_approvals: 2\n_extends: someone-else/cfg\n' } });
    const { octokit, cache, sim } = await start(s);
    const load = await loadPolicy(octokit, api, { cache });
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.error.problems).toEqual([
      expect.objectContaining({ file: 'acme/api:.github/changeproof.yml', line: 3, key: '_extends', message: '_extends "someone-else/cfg" names someone-else/cfg:.github/changeproof.yml, which belongs to someone-else, not to acme' }),
    ]);
    expect(sim.requests.filter((r) => r.path.includes('someone-else'))).toEqual([]);
  });

  test('an organisation .github repository the installation cannot see counts as absent', async () => {
    const s = scenario()
      .installation({ id: 9, account: 'acme', repositories: ['acme/api'] })
      .repo('acme/.github', { files: { [POLICY]: 'peer_review:\n  required_approvals: 5\n' } })
      .repo('acme/api')
      .pullRequest({ author: 'alice' });
    const { sim } = await start(s);
    const jwt = `e30.${Buffer.from('{"iss":4242}').toString('base64url')}.sig`;
    const { token } = (await (await fetch(`${sim.apiUrl}/app/installations/9/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } })).json()) as { token: string };
    const { facts, policy } = await collectChange(simulatorOctokit(sim, { token }), pr1, { now, cache: new PolicyCache() });
    expect(facts.gaps).toEqual([]);
    expect(policy).toMatchObject({ ok: true, source: { files: [] }, policy: { peer_review: { required_approvals: 1 } } });
  });

  test('REST reads are conditional: an unchanged file is answered 304 and not parsed again; a change is seen', async () => {
    const s = scenario().repo('acme/api', { files: { [POLICY]: 'peer_review:\n  required_approvals: 2\n' } });
    const { octokit, cache, sim } = await start(s);
    const parsed = vi.spyOn(cache, 'rememberLayer');
    const first = await loadPolicy(octokit, api, { cache });
    const second = await loadPolicy(octokit, api, { cache });
    expect(second).toEqual(first);
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(sim.requests.map((r) => [r.route, r.status])).toEqual([
      ['GET /repos/{owner}/{repo}/contents/{path}', 200],
      ['GET /repos/{owner}/{repo}/contents/{path}', 304],
    ]);
    s.file(POLICY, 'peer_review:\n  required_approvals: 3\n');
    expect(await loadPolicy(octokit, api, { cache })).toMatchObject({ ok: true, policy: { peer_review: { required_approvals: 3 } } });
    expect(sim.requests.at(-1)!.status).toBe(200);
  });
});
