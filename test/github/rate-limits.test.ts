import { afterEach, describe, expect, test } from 'vitest';
import { collectChange } from '../../src/github/collect-change.js';
import { PolicyCache } from '../../src/github/policy-cache.js';
import { RateLimits, watchRateLimits } from '../../src/github/rate-limits.js';
import { ROUTES } from '../../src/github/routes.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { simulatorOctokit } from '../support/simulator-octokit.js';

const now = () => new Date('2026-03-05T12:00:00Z');
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('rate-limit figures read from GitHub’s answers', () => {
  test('each resource’s latest limit, remaining and reset by installation, and the GraphQL query’s cost', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'));
    const limits = new RateLimits(now);
    const octokit = watchRateLimits(simulatorOctokit(sim), 77, limits);

    await collectChange(octokit, { owner: 'acme', repo: 'api', number: 1 }, { now, cache: new PolicyCache() });
    await octokit.request(ROUTES.listCheckRunsForRef, { owner: 'acme', repo: 'api', ref: 'main' });
    await octokit.request(ROUTES.listCheckRunsForRef, { owner: 'acme', repo: 'api', ref: 'main' });

    const figures = limits.snapshot()['77']!;
    expect(figures.lastGraphqlCost).toBe(3); // the pull-request query, priced by GitHub's rule: 307 requests / 100, rounded
    // GitHub's GraphQL headers count points: the query's 3 are gone from the hour's 5,000.
    expect(figures.resources['graphql']).toMatchObject({ limit: 5000, remaining: 4997, readAt: '2026-03-05T12:00:00.000Z' });
    expect(figures.resources['core']).toMatchObject({ limit: 5000, remaining: 4998 });
    expect(Date.parse(figures.resources['core']!.resetsAt)).toBeGreaterThan(Date.now());
    expect(Object.keys(limits.snapshot())).toEqual(['77']);
  });

  test('an exhausted limit is read from the refusal itself', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { kind: 'primary-rate-limit', resetInSeconds: 600 });
    const limits = new RateLimits(now);
    const octokit = watchRateLimits(simulatorOctokit(sim, { resilience: { maxRetryAfterSeconds: 1 } }), 9, limits);

    await expect(octokit.request(ROUTES.listCheckRunsForRef, { owner: 'acme', repo: 'api', ref: 'main' })).rejects.toMatchObject({ status: 403 });
    expect(limits.snapshot()['9']!.resources['core']).toMatchObject({ remaining: 0 });
  });

  test('answers without the headers change nothing; the oldest installation goes first beyond the bound', () => {
    const limits = new RateLimits(now, 2);
    limits.recordHeaders(1, {});
    limits.recordHeaders(1, { 'x-ratelimit-limit': 'many', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '1' });
    expect(limits.snapshot()).toEqual({});
    const headers = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '1772712000' };
    for (const id of [1, 2, 3]) limits.recordHeaders(id, headers);
    expect(limits.snapshot()).toEqual({
      '2': { resources: { core: { limit: 5000, remaining: 10, resetsAt: '2026-03-05T12:00:00.000Z', readAt: '2026-03-05T12:00:00.000Z' } }, lastGraphqlCost: null },
      '3': { resources: { core: { limit: 5000, remaining: 10, resetsAt: '2026-03-05T12:00:00.000Z', readAt: '2026-03-05T12:00:00.000Z' } }, lastGraphqlCost: null },
    });
  });
});
