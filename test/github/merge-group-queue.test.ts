import { validate } from '@octokit/graphql-schema';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GitHubEvidenceError } from '../../src/github/errors.js';
import { GRAPHQL_DOCUMENTS } from '../../src/github/graphql/documents.js';
import { MERGE_QUEUE_QUERY } from '../../src/github/graphql/merge-queue.graphql.js';
import { readMergeQueue } from '../../src/github/read-merge-queue.js';
import nock from '../support/nock.js';
import { scenario, type ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { offlineOctokit, simulatorOctokit } from '../support/simulator-octokit.js';

const main = { owner: 'acme', repo: 'api', branch: 'main' };

describe("the merge queue query against GitHub's published schema (@octokit/graphql-schema)", () => {
  test('is valid, and registered with every document Changeproof sends', () => {
    expect(validate(MERGE_QUEUE_QUERY).map((e) => e.message)).toEqual([]);
    expect(Object.values(GRAPHQL_DOCUMENTS)).toContain(MERGE_QUEUE_QUERY);
  });

  test('a field the schema lacks is caught (control)', () => {
    const broken = MERGE_QUEUE_QUERY.replace('enqueuedAt', 'queuedAt');
    expect(validate(broken).map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "queuedAt" on type "MergeQueueEntry"')]);
  });
});

describe('readMergeQueue against the simulator', () => {
  let sim: GitHubSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const queued = (count: number, s: ScenarioBuilder = scenario().repo('acme/api').mergeQueue({ method: 'squash' })) => {
    for (let i = 0; i < count; i += 1) s.pullRequest({ author: 'alice' }).enqueue({ by: i % 2 ? 'dependabot[bot]' : 'bob' });
    return s;
  };

  test('lists every entry in queue order, with its merge group commit, its pull request and who queued it: one request', async () => {
    const s = queued(2, scenario().repo('acme/api').bot('dependabot').mergeQueue({ method: 'squash' }));
    sim = await startGitHubSimulator(s);
    const queue = await readMergeQueue(simulatorOctokit(sim), main);
    const pulls = sim.world.repo('acme/api').pulls;
    expect(queue).toEqual({
      url: 'https://github.com/acme/api/queue/main',
      mergeMethod: 'SQUASH',
      entries: [1, 2].map((n, i) => ({
        position: i + 1,
        state: 'AWAITING_CHECKS',
        number: n,
        url: `https://github.com/acme/api/pull/${n}`,
        pullRequestHead: pulls.get(n)!.commits.at(-1),
        groupHeadSha: s.queueEntry(n).groupHeadSha,
        // GraphQL names a bot without "[bot]"; the login is restored as REST and webhooks give it.
        enqueuer: i ? 'dependabot[bot]' : 'bob',
        enqueuedAt: s.queueEntry(n).enqueuedAt,
      })),
    });
    // Each group sits on the one before it.
    expect(s.queueEntry(2).groupBaseSha).toBe(s.queueEntry(1).groupHeadSha);
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
  });

  test('a branch without a queue is null', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api').pullRequest({ author: 'alice' }));
    expect(await readMergeQueue(simulatorOctokit(sim), main)).toBeNull();
  });

  test('more than 100 entries are paged, never cut', async () => {
    const s = queued(130, scenario().repo('acme/api').bot('dependabot').mergeQueue());
    sim = await startGitHubSimulator(s);
    const queue = await readMergeQueue(simulatorOctokit(sim), main);
    expect(queue!.entries.map((e) => e.position)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    expect(sim.counts()).toEqual({ 'POST /graphql': 2 });
    sim.resetRequests();
    const error = await readMergeQueue(simulatorOctokit(sim), main, { maxPages: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'incomplete', message: 'the merge queue of acme/api:main has 130 entries; Changeproof reads at most 100' });
  });

  test('without the "Merge queues" permission GitHub answers FORBIDDEN: an error, not an empty queue', async () => {
    sim = await startGitHubSimulator(queued(1));
    sim.faults.addField({ field: 'Repository.mergeQueue', type: 'FORBIDDEN', message: 'Resource not accessible by integration' });
    const error = await readMergeQueue(simulatorOctokit(sim), main).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubEvidenceError);
    expect(error).toMatchObject({ kind: 'forbidden', retryable: false, message: expect.stringContaining('FORBIDDEN: Resource not accessible by integration') });
  });
});

describe('readMergeQueue when GitHub answers oddly (nock)', () => {
  const api = 'https://api.github.com';
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  const entry = (position: number) => ({
    position, state: 'QUEUED', enqueuedAt: '2026-03-02T09:00:00Z', enqueuer: { __typename: 'User', login: 'bob' },
    headCommit: { oid: 'a'.repeat(40) }, pullRequest: { number: position, url: `https://github.com/acme/api/pull/${position}`, headRefOid: 'b'.repeat(40) },
  });
  const answer = (nodes: unknown[], totalCount: number) => ({
    data: { repository: { mergeQueue: { url: 'https://github.com/acme/api/queue/main', configuration: { mergeMethod: 'MERGE' }, entries: { totalCount, pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } },
  });

  test.each([
    { name: 'fewer entries than GitHub counts', body: answer([entry(1)], 2), message: 'GitHub listed 1 of the 2 entries of the merge queue of acme/api:main' },
    { name: 'an entry left out as null', body: answer([entry(1), null], 2), message: 'GitHub left out an entry of the merge queue of acme/api:main' },
    { name: 'no repository', body: { data: { repository: null } }, message: 'GitHub could not give the merge queue of acme/api:main: no such repository' },
  ])('$name is an error, never a shorter queue', async ({ body, message }) => {
    const scope = nock(api)
      .post('/graphql', (b: { query: string; variables: Record<string, unknown> }) => {
        expect(b.variables).toEqual({ owner: 'acme', name: 'api', branch: 'main', after: null });
        return b.query === MERGE_QUEUE_QUERY;
      })
      .reply(200, body);
    const error = await readMergeQueue(offlineOctokit(api), main).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubEvidenceError);
    expect((error as Error).message).toBe(message);
    expect(scope.isDone()).toBe(true);
  });
});
