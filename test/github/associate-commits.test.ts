import nock from '../support/nock.js';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { associateCommits } from '../../src/github/associate-commits.js';
import { listRangeCommits } from '../../src/github/list-range-commits.js';
import { openapiExample } from '../support/openapi-examples.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { offlineOctokit, simulatorOctokit } from '../support/simulator-octokit.js';

let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('commit ranges and their pull requests, through the simulator', () => {
  test('a push: the commits of a merged pull request map to it, a direct push to nothing', async () => {
    const s = scenario().repo('acme/api');
    const before = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').merge({ by: 'bob' }).file('hotfix.txt', 'patched in prod\n', { author: 'mallory' });
    const repo = s.currentRepository();
    const after = repo.branches.get('main')!;
    sim = await startGitHubSimulator(s);
    const octokit = simulatorOctokit(sim);

    const range = await listRangeCommits(octokit, { owner: 'acme', repo: 'api', base: before, head: after });
    const pr = s.pr();
    expect(range).toMatchObject({ status: 'ahead', totalCommits: 4, gap: null });
    expect(range.commits.map((c) => c.sha)).toEqual([...pr.commits, pr.mergeCommitSha, after]);
    expect(range.commits[3]).toMatchObject({ headline: 'Update hotfix.txt', author: { user: { login: 'mallory', type: 'User' } }, parents: [pr.mergeCommitSha] });

    const links = await associateCommits(octokit, { owner: 'acme', repo: 'api', shas: range.commits.map((c) => c.sha) }, { concurrency: 2 });
    expect(links.map((l) => [l.sha, l.introducedBy?.number ?? null])).toEqual([
      [pr.commits[0], 1],
      [pr.commits[1], 1],
      [pr.mergeCommitSha, 1],
      [after, null],
    ]);
    expect(links[0]!.introducedBy).toMatchObject({ state: 'closed', baseRef: 'main', mergedAt: pr.mergedAt, mergeCommitSha: pr.mergeCommitSha, author: { login: 'alice' } });
    expect(sim.count('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls')).toBe(4);
  });

  test('a range of 261 commits is paged completely (GitHub lists 250 without paging)', async () => {
    const s = scenario().repo('acme/api');
    const before = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice', commits: 260 }).merge({ by: 'bob' });
    sim = await startGitHubSimulator(s);
    const range = await listRangeCommits(simulatorOctokit(sim), { owner: 'acme', repo: 'api', base: before, head: 'main' });
    expect(range.gap).toBeNull();
    expect(range.commits).toHaveLength(261);
    expect(new Set(range.commits.map((c) => c.sha)).size).toBe(261);
    expect(sim.count('GET /repos/{owner}/{repo}/compare/{basehead}')).toBe(3);
  });

  test('a base GitHub does not know (force-pushed away) is a not_found error, not an empty range', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    await expect(listRangeCommits(simulatorOctokit(sim), { owner: 'acme', repo: 'api', base: 'f'.repeat(40), head: 'main' })).rejects.toMatchObject({
      name: 'GitHubEvidenceError',
      kind: 'not_found',
    });
  });
});

describe('commit ranges against recorded GitHub payloads (nock)', () => {
  const octokit = () => offlineOctokit('https://api.github.com');
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  test('a compare whose pages fall short of total_commits is reported as a gap', async () => {
    const first = openapiExample<{ total_commits: number; commits: unknown[] }>('commit-comparison');
    first.total_commits = 3;
    const scope = nock('https://api.github.com')
      .get('/repos/octocat/Hello-World/compare/main...topic')
      .query({ per_page: '100', page: '1' })
      .reply(200, first)
      .get('/repos/octocat/Hello-World/compare/main...topic')
      .query({ per_page: '100', page: '2' })
      .reply(200, { ...first, commits: [] });
    const range = await listRangeCommits(octokit(), { owner: 'octocat', repo: 'Hello-World', base: 'main', head: 'topic' });
    expect(range.commits).toHaveLength(1);
    expect(range.commits[0]).toMatchObject({ sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', author: { user: { login: 'octocat', type: 'User' } } });
    expect(range.gap).toBe('GitHub listed 1 of 3 commits of octocat/Hello-World main...topic');
    expect(scope.isDone()).toBe(true);
  });

  test('commits→pulls: only a merged pull request introduces a commit', async () => {
    const pulls = openapiExample<Array<Record<string, unknown>>>('pull-request-simple-items');
    const open = { ...pulls[0], number: 1348, merged_at: null };
    const scope = nock('https://api.github.com')
      .get('/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e/pulls')
      .query({ per_page: '100', page: '1' })
      .reply(200, [open, ...pulls]);
    const [link] = await associateCommits(octokit(), { owner: 'octocat', repo: 'Hello-World', shas: ['6dcb09b5b57875f334f61aebed695e2e4193db5e'] });
    expect(link!.pullRequests.map((p) => p.number)).toEqual([1348, 1347]);
    expect(link!.introducedBy).toMatchObject({ number: 1347, mergedAt: '2011-01-26T19:01:12Z', author: { login: 'octocat', type: 'User' } });
    expect(scope.isDone()).toBe(true);
  });

  test('a failed association throws instead of looking like a direct push', async () => {
    const scope = nock('https://api.github.com').get(/\/commits\/abc1234\/pulls/).query(true).reply(500, { message: 'Server Error' });
    await expect(associateCommits(octokit(), { owner: 'octocat', repo: 'Hello-World', shas: ['abc1234'] })).rejects.toMatchObject({ kind: 'unavailable', status: 500 });
    expect(scope.isDone()).toBe(true);
  });
});
