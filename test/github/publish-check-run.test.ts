import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { collectPullRequest } from '../../src/github/collect-pull-request.js';
import { CHECK_RUN_NAME, publishCheckRun } from '../../src/github/publish-check-run.js';
import nock from '../support/nock.js';
import { openapiExample } from '../support/openapi-examples.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { offlineOctokit, simulatorOctokit } from '../support/simulator-octokit.js';

const now = () => new Date('2026-03-05T12:00:00.000Z');
const ref = { owner: 'github', repo: 'hello-world', headSha: 'ce587453ced02b1526dfb4cb910479d431683101' };
const passed = { status: 'completed', conclusion: 'success', title: 'Compliant', summary: '| Rule | Result |\n|---|---|\n| Peer review | ✅ |' } as const;

describe('publishCheckRun (nock, payloads from GitHub OpenAPI examples)', () => {
  const octokit = () => offlineOctokit('https://api.github.com');
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  test('creates the check run when the head SHA has none', async () => {
    const scope = nock('https://api.github.com')
      .get(`/repos/github/hello-world/commits/${ref.headSha}/check-runs`)
      .query({ check_name: CHECK_RUN_NAME, filter: 'latest', per_page: '100' })
      .reply(200, { total_count: 0, check_runs: [] })
      .post('/repos/github/hello-world/check-runs', (body) => {
        expect(body).toMatchObject({
          name: 'Change control (CC8.1)', head_sha: ref.headSha, status: 'completed', conclusion: 'success',
          started_at: '2026-03-05T12:00:00.000Z', completed_at: '2026-03-05T12:00:00.000Z', output: { title: 'Compliant', summary: passed.summary },
        });
        return true;
      })
      .reply(201, openapiExample('check-run'));
    expect(await publishCheckRun(octokit(), ref, passed, { now })).toEqual({ id: 4, created: true, url: 'https://github.com/github/hello-world/runs/4' });
    expect(scope.isDone()).toBe(true);
  });

  test('updates the existing one found by name (at most one per head SHA)', async () => {
    const found = openapiExample<{ check_runs: Array<{ name: string }> }>('check-run-paginated');
    found.check_runs[0]!.name = CHECK_RUN_NAME;
    const scope = nock('https://api.github.com')
      .get(`/repos/github/hello-world/commits/${ref.headSha}/check-runs`)
      .query(true)
      .reply(200, found)
      .patch('/repos/github/hello-world/check-runs/4', (body) => {
        expect(body).toMatchObject({ status: 'in_progress', output: { title: 'Waiting for review' } });
        expect(body).not.toHaveProperty('conclusion');
        return true;
      })
      .reply(200, openapiExample('check-run'));
    const result = await publishCheckRun(octokit(), ref, { status: 'in_progress', title: 'Waiting for review', summary: '⏳ 0 of 1 approvals' }, { now });
    expect(result).toMatchObject({ id: 4, created: false });
    expect(scope.isDone()).toBe(true);
  });

  test('a known id saves the look-up; a vanished one falls back to creating', async () => {
    const scope = nock('https://api.github.com')
      .patch('/repos/github/hello-world/check-runs/99')
      .reply(404, { message: 'Not Found' })
      .post('/repos/github/hello-world/check-runs')
      .reply(201, openapiExample('check-run'));
    expect(await publishCheckRun(octokit(), ref, passed, { now, checkRunId: 99 })).toMatchObject({ id: 4, created: true });
    expect(scope.isDone()).toBe(true);
  });

  test("a summary over GitHub's 65,535 characters is cut with a note", async () => {
    const scope = nock('https://api.github.com')
      .patch('/repos/github/hello-world/check-runs/4', (body: { output: { summary: string } }) => {
        expect(body.output.summary).toHaveLength(65535);
        expect(body.output.summary).toMatch(/the full record is in the ledger\)$/);
        return true;
      })
      .reply(200, openapiExample('check-run'));
    await publishCheckRun(octokit(), ref, { ...passed, summary: 'x'.repeat(70_000) }, { now, checkRunId: 4 });
    expect(scope.isDone()).toBe(true);
  });
});

describe('publishCheckRun through the simulator', () => {
  let sim: GitHubSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  test('create, then update in place: the head SHA carries one Changeproof check run, which collection sees', async () => {
    const s = scenario().installation({ id: 5, account: 'acme' }).repo('acme/api').pullRequest({ author: 'alice' }).check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const jwt = `e30.${Buffer.from('{"iss":4242}').toString('base64url')}.sig`;
    const { token } = (await (await fetch(`${sim.apiUrl}/app/installations/5/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } })).json()) as { token: string };
    const octokit = simulatorOctokit(sim, { token });
    const target = { owner: 'acme', repo: 'api', headSha: s.headSha() };

    const first = await publishCheckRun(octokit, target, { status: 'in_progress', title: 'Pending', summary: '⏳' }, { now });
    const second = await publishCheckRun(octokit, target, passed, { now, appId: 4242 });
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });

    const facts = await collectPullRequest(octokit, { owner: 'acme', repo: 'api', number: 1 }, { now });
    const ours = facts.checks.filter((c) => c.name === CHECK_RUN_NAME);
    expect(ours).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success', reporter: 'changeproof', databaseId: first.id })]);
  });
});
