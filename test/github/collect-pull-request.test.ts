import { afterEach, describe, expect, test } from 'vitest';
import { collectPullRequest } from '../../src/github/collect-pull-request.js';
import { GitHubEvidenceError } from '../../src/github/errors.js';
import { scenario, type ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const now = () => new Date('2026-03-05T12:00:00.000Z');
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function collect(s: ScenarioBuilder, number = 1) {
  sim = await startGitHubSimulator(s);
  const facts = await collectPullRequest(simulatorOctokit(sim), { owner: 'acme', repo: 'api', number }, { now });
  return { facts, sim };
}

describe('collectPullRequest through the simulator', () => {
  test('a plain pull request: every field, full SHAs, UTC timestamps, one GraphQL request', async () => {
    const s = scenario()
      .repo('acme/api')
      .pullRequest({ author: 'alice', commits: 3, title: 'Add rate limiting', body: 'Fixes OPS-12', labels: ['backend'] })
      .approvedBy('bob')
      .check('ci', 'success')
      .status('ci/jenkins', 'success');
    const pr = s.pr();
    const { facts, sim } = await collect(s);

    expect(facts).toMatchObject({
      repository: { owner: 'acme', name: 'api', defaultBranch: 'main' },
      number: 1,
      url: 'https://github.com/acme/api/pull/1',
      title: 'Add rate limiting',
      body: 'Fixes OPS-12',
      author: { login: 'alice', type: 'User', id: expect.any(Number) },
      state: 'open',
      draft: false,
      baseRef: 'main',
      headRef: 'feature-1',
      baseSha: pr.baseSha,
      headSha: pr.commits[2],
      labels: ['backend'],
      createdAt: pr.createdAt,
      merge: null,
      collectedAt: '2026-03-05T12:00:00Z',
      gaps: [],
    });
    expect(facts.commits.map((c) => c.sha)).toEqual(pr.commits);
    expect(facts.commits[0]).toEqual({
      sha: pr.commits[0],
      headline: 'Change 1 of #1',
      authoredAt: expect.stringMatching(/^2026-03-02T09:\d\d:00Z$/),
      committedAt: expect.stringMatching(/^2026-03-02T09:\d\d:00Z$/),
      authors: [{ name: 'alice', email: 'alice@example.com', user: { login: 'alice', type: 'User', id: expect.any(Number) } }],
      committer: { name: 'alice', email: 'alice@example.com', user: { login: 'alice', type: 'User', id: expect.any(Number) } },
      url: `https://github.com/acme/api/commit/${pr.commits[0]}`,
      parents: [pr.baseSha],
      signature: null,
    });
    expect(facts.commits[1]!.parents).toEqual([pr.commits[0]]);
    expect(facts.pushes).toEqual([]);
    for (const c of facts.commits) expect(c.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(facts.reviews).toEqual([
      {
        id: expect.stringMatching(/^PRR_/),
        author: { login: 'bob', type: 'User', id: sim.world.account('bob')!.id },
        state: 'APPROVED',
        submittedAt: pr.reviews[0]!.submittedAt,
        commitSha: pr.commits[2],
        authorCanPushToRepository: true,
        url: expect.stringContaining('#pullrequestreview-'),
      },
    ]);
    expect(facts.checks).toEqual([
      { source: 'check_run', name: 'ci', status: 'completed', conclusion: 'success', databaseId: expect.any(Number), at: expect.any(String), reporter: 'github-actions', url: expect.any(String) },
      { source: 'status', name: 'ci/jenkins', status: 'completed', conclusion: 'success', databaseId: null, at: expect.any(String), reporter: 'ci-service', url: 'https://ci.example.com/ci/jenkins' },
    ]);
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
  });

  test("signatures as GitHub verified them, and the timeline's head-ref force pushes, in the same single request", async () => {
    const s = scenario()
      .repo('acme/api')
      .user('bob')
      .pullRequest({ author: 'alice', commits: 0 })
      .commit({ signature: { signer: 'alice' } })
      .commit({ signature: { invalid: 'UNKNOWN_KEY' } })
      .webCommit('alice')
      .forcePush('bob', { drop: 1 });
    const pr = s.pr();
    const { facts, sim } = await collect(s);
    expect(facts.commits.map((c) => c.signature)).toEqual([
      { isValid: true, state: 'VALID', wasSignedByGitHub: false, signer: 'alice' },
      { isValid: false, state: 'UNKNOWN_KEY', wasSignedByGitHub: false, signer: null },
      null,
    ]);
    const event = pr.forcePushes![0]!;
    expect(facts.pushes).toEqual([
      { source: 'force_push', pusher: 'bob', before: event.before, after: event.after, at: event.createdAt, forced: true, deliveryId: null, seq: null },
    ]);
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
  });

  test('a commit made on github.com is signed by GitHub and committed by web-flow', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 0 }).webCommit('alice');
    const { facts } = await collect(s);
    expect(facts.commits[0]).toMatchObject({
      committer: { email: 'noreply@github.com', user: { login: 'web-flow' } },
      signature: { isValid: true, state: 'VALID', wasSignedByGitHub: true, signer: null },
    });
  });

  test('co-authors come from Co-authored-by trailers, each linked to its account or to none', async () => {
    const s = scenario()
      .repo('acme/api')
      .user('carol', { name: 'Carol Chen' })
      .pullRequest({ author: 'alice', commits: 0 })
      .commit({ coAuthors: ['carol', { name: 'Dana Outside', email: 'dana@contractor.example' }] });
    const { facts } = await collect(s);
    expect(facts.commits[0]!.authors).toEqual([
      { name: 'alice', email: 'alice@example.com', user: { login: 'alice', type: 'User', id: expect.any(Number) } },
      { name: 'Carol Chen', email: 'carol@example.com', user: { login: 'carol', type: 'User', id: expect.any(Number) } },
      { name: 'Dana Outside', email: 'dana@contractor.example', user: null },
    ]);
  });

  test('a commit whose email links to no account has no user (unattributed)', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 0 }).commit({ author: { name: 'root', email: 'root@build-host.local' } });
    const { facts } = await collect(s);
    expect(facts.commits[0]!.authors).toEqual([{ name: 'root', email: 'root@build-host.local', user: null }]);
    expect(facts.commits[0]!.committer.user).toBeNull();
    expect(facts.gaps).toEqual([]);
  });

  test("GitHub's web-flow committer and a bot's noreply author are reported as such", async () => {
    const s = scenario()
      .bot('dependabot')
      .repo('acme/api')
      .pullRequest({ author: 'dependabot[bot]', commits: 0 })
      .commit({ committer: 'web-flow' });
    const { facts } = await collect(s);
    expect(facts.author).toEqual({ login: 'dependabot[bot]', type: 'Bot', id: expect.any(Number) });
    const commit = facts.commits[0]!;
    // GraphQL's GitActor.user is a User, so it is null for a bot; the bot's noreply address still names it.
    expect(commit.authors[0]!.user).toEqual({ login: 'dependabot[bot]', type: 'Bot' });
    expect(commit.authors[0]!.email).toMatch(/^\d+\+dependabot\[bot\]@users\.noreply\.github\.com$/);
    expect(commit.committer).toEqual({ name: 'GitHub', email: 'noreply@github.com', user: { login: 'web-flow', type: 'User', id: expect.any(Number) } });
  });

  test('a bot reviewer is a Bot with its [bot] login; push rights and the reviewed commit are kept', async () => {
    const s = scenario()
      .bot('renovate')
      .user('eve', { canPush: false })
      .repo('acme/api')
      .pullRequest({ author: 'alice', commits: 2 })
      .approvedBy('renovate[bot]')
      .approvedBy('eve', { on: 0 })
      .review('bob', 'CHANGES_REQUESTED')
      .review('carol', 'COMMENTED');
    const pr = s.pr();
    const { facts } = await collect(s);
    expect(facts.reviews.map((r) => [r.author?.login, r.author?.type, r.state, r.commitSha, r.authorCanPushToRepository])).toEqual([
      ['renovate[bot]', 'Bot', 'APPROVED', pr.commits[1], true],
      ['eve', 'User', 'APPROVED', pr.commits[0], false],
      ['bob', 'User', 'CHANGES_REQUESTED', pr.commits[1], true],
      ['carol', 'User', 'COMMENTED', pr.commits[1], true],
    ]);
  });

  test('check runs keep every re-run (latest = highest id) and map every status and conclusion', async () => {
    const s = scenario()
      .repo('acme/api')
      .pullRequest({ author: 'alice' })
      .check('ci', 'failure')
      .check('ci', 'success')
      .check('build', 'startup_failure')
      .check('lint', 'in_progress')
      .check('deploy-preview', 'queued', { app: { slug: 'vercel', id: 8329 } });
    const { facts } = await collect(s);
    const runs = facts.checks.filter((c) => c.source === 'check_run');
    expect(runs.map((c) => [c.name, c.status, c.conclusion, c.reporter])).toEqual([
      ['ci', 'completed', 'failure', 'github-actions'],
      ['ci', 'completed', 'success', 'github-actions'],
      ['build', 'completed', 'startup_failure', 'github-actions'],
      ['lint', 'in_progress', null, 'github-actions'],
      ['deploy-preview', 'queued', null, 'vercel'],
    ]);
    const ci = runs.filter((c) => c.name === 'ci');
    expect(ci[1]!.databaseId!).toBeGreaterThan(ci[0]!.databaseId!);
    expect(runs.find((c) => c.name === 'lint')!.at).toMatch(/Z$/);
  });

  test('commit statuses: the latest state per context, pending and error mapped', async () => {
    const s = scenario()
      .repo('acme/api')
      .pullRequest({ author: 'alice' })
      .status('ci/jenkins', 'failure')
      .status('ci/jenkins', 'success')
      .status('security/scan', 'pending')
      .status('coverage', 'error');
    const { facts } = await collect(s);
    expect(facts.checks.map((c) => [c.source, c.name, c.status, c.conclusion])).toEqual([
      ['status', 'ci/jenkins', 'completed', 'success'],
      ['status', 'security/scan', 'pending', null],
      ['status', 'coverage', 'completed', 'error'],
    ]);
  });

  test('a merged pull request carries the merge facts', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').merge({ by: 'bob' });
    const pr = s.pr();
    const { facts } = await collect(s);
    expect(facts.state).toBe('merged');
    expect(facts.headSha).toBe(pr.commits[1]);
    expect(facts.merge).toEqual({ mergedAt: pr.mergedAt, mergedBy: { login: 'bob', type: 'User', id: sim!.world.account('bob')!.id }, mergeCommitSha: pr.mergeCommitSha });
  });

  test('an unknown pull request or repository is a GitHubEvidenceError, not empty evidence', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    const octokit = simulatorOctokit(sim);
    await expect(collectPullRequest(octokit, { owner: 'acme', repo: 'api', number: 9 }, { now })).rejects.toMatchObject({
      name: 'GitHubEvidenceError',
      kind: 'not_found',
      message: expect.stringContaining('Could not resolve to a PullRequest with the number of 9'),
    });
    const missing = await collectPullRequest(octokit, { owner: 'acme', repo: 'nope', number: 1 }, { now }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GitHubEvidenceError);
    expect((missing as GitHubEvidenceError).kind).toBe('not_found');
  });
});
