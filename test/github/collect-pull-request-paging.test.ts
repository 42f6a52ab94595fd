import { afterEach, describe, expect, test } from 'vitest';
import { collectPullRequest } from '../../src/github/collect-pull-request.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const now = () => new Date('2026-03-05T12:00:00Z');
const ref = { owner: 'acme', repo: 'api', number: 1 };
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('collectPullRequest paging beyond 100 per list', () => {
  test('250 commits and 120 reviews: everything, in order, for 1 query + 2 follow-ups', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 250 });
    for (let i = 0; i < 120; i += 1) s.review(`reviewer-${i}`, i % 2 === 0 ? 'COMMENTED' : 'APPROVED');
    sim = await startGitHubSimulator(s);

    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });

    expect(facts.gaps).toEqual([]);
    expect(facts.commits.map((c) => c.sha)).toEqual(s.pr().commits);
    expect(facts.reviews).toHaveLength(120);
    expect(facts.reviews.at(-1)!.author).toEqual({ login: 'reviewer-119', type: 'User', id: expect.any(Number) });
    expect(new Set(facts.reviews.map((r) => r.id)).size).toBe(120);
    // Commits 101–200 with reviews 101–120, then commits 201–250.
    expect(sim.count('POST /graphql')).toBe(3);
    expect(sim.count()).toBe(3);
  });

  test('more than 100 force pushes are paged with the commits, in the same follow-up', async () => {
    const s = scenario().repo('acme/api').user('bob').pullRequest({ author: 'alice', commits: 130 });
    for (let i = 0; i < 120; i += 1) s.forcePush(i % 2 ? 'bob' : 'alice', { drop: 1, commits: 1 });
    sim = await startGitHubSimulator(s);

    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });

    expect(facts.gaps).toEqual([]);
    expect(facts.pushes).toHaveLength(120);
    expect(facts.pushes.filter((p) => p.pusher === 'bob')).toHaveLength(60);
    expect(facts.pushes.map((p) => p.after)).toEqual(s.pr().forcePushes!.map((e) => e.after));
    // Main query; commits 101–130 with force pushes 101–120.
    expect(sim.count('POST /graphql')).toBe(2);
  });

  test('check runs beyond 100 in a suite and status contexts beyond 100 are paged too', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice' });
    for (let i = 0; i < 130; i += 1) s.check(`job-${i}`, 'success');
    for (let i = 0; i < 105; i += 1) s.status(`ext/${i}`, 'success');
    sim = await startGitHubSimulator(s);

    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });

    expect(facts.gaps).toEqual([]);
    expect(facts.checks.filter((c) => c.source === 'check_run')).toHaveLength(130);
    expect(facts.checks.filter((c) => c.source === 'status').map((c) => c.name)).toEqual(Array.from({ length: 105 }, (_, i) => `ext/${i}`));
    // Main query; the suite's runs 101–130; combined contexts 101–200 and 201–235.
    expect(sim.count('POST /graphql')).toBe(4);
  });

  test('a follow-up page that keeps failing leaves a gap with the reason, never a shorter list passed as whole', async () => {
    const s = scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 150 });
    sim = await startGitHubSimulator(s);
    // The first query succeeds; the follow-up and its 3 retries fail.
    sim.faults.add('POST /graphql', { kind: 'status', status: 502 }, 4, { after: 1 });
    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });
    expect(sim.requests.map((r) => r.status)).toEqual([200, 502, 502, 502, 502]);
    expect(facts.commits).toHaveLength(100);
    expect(facts.gaps).toEqual([{ what: 'commits', reason: expect.stringMatching(/could not read more commits: .*HTTP 502/) }]);
  });
});
