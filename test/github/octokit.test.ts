import { ProbotOctokit } from 'probot';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveGitHubHost } from '../../src/github/github-host.js';
import { createOctokit, withChangeproofDefaults } from '../../src/github/octokit.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';

let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('resolveGitHubHost', () => {
  test.each([
    [{}, 'https://api.github.com', 'https://api.github.com/graphql'],
    [{ GHE_HOST: 'ghe.example.com' }, 'https://ghe.example.com/api/v3', 'https://ghe.example.com/api/graphql'],
    [{ GHE_HOST: '127.0.0.1:8080', GHE_PROTOCOL: 'http' }, 'http://127.0.0.1:8080/api/v3', 'http://127.0.0.1:8080/api/graphql'],
    [{ GITHUB_API_URL: 'https://ghe.example.com/api/v3' }, 'https://ghe.example.com/api/v3', 'https://ghe.example.com/api/graphql'],
    [{ GITHUB_API_URL: 'https://api.acme.ghe.com', GITHUB_GRAPHQL_URL: 'https://api.acme.ghe.com/graphql' }, 'https://api.acme.ghe.com', 'https://api.acme.ghe.com/graphql'],
  ])('%j → %s', (env, apiUrl, graphqlUrl) => {
    expect(resolveGitHubHost(env)).toMatchObject({ apiUrl, graphqlUrl });
  });

  test('a GHE_HOST with a scheme is refused with a hint', () => {
    expect(() => resolveGitHubHost({ GHE_HOST: 'https://ghe.example.com' })).toThrow(/bare host name .* GHE_PROTOCOL/);
  });
});

describe('createOctokit', () => {
  test('sends REST to /api/v3 and GraphQL to /api/graphql on GitHub Enterprise Server, through the injected fetch', async () => {
    const seen: string[] = [];
    const fetch = async (input: string | URL | Request) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return new Response(JSON.stringify(seen.length === 1 ? { id: 1 } : { data: { viewer: { login: 'x' } } }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const octokit = createOctokit({ auth: 't', env: { GHE_HOST: 'ghe.example.com' }, fetch: fetch as typeof globalThis.fetch, log: quiet });
    await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' });
    await octokit.graphql('query { viewer { login } }');
    expect(seen).toEqual(['https://ghe.example.com/api/v3/repos/acme/api', 'https://ghe.example.com/api/graphql']);
  });

  test("wrapping Probot's class keeps Changeproof's retries even against Probot's non-retrying throttle options", async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'secondary-rate-limit', retryAfter: 1 });
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'status', status: 502 });
    const AppOctokit = withChangeproofDefaults(ProbotOctokit, { delayUnitMs: 1 });
    // What Probot passes for an installation client: its own handlers (no retry) and, at times, `enabled: false`.
    const octokit = new AppOctokit({
      auth: { token: 'test-token' },
      baseUrl: sim.apiUrl,
      log: quiet,
      throttle: { enabled: false, id: 'installation-1', onSecondaryRateLimit: () => false, onRateLimit: () => false },
    });
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' });
    expect(data.full_name).toBe('acme/api');
    expect(sim.requests.map((r) => r.status)).toEqual([403, 502, 200]);
  });

  test("retry-after is honoured: the retry waits GitHub's seconds (scaled by delayUnitMs)", async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'secondary-rate-limit', retryAfter: 3, status: 429 });
    const octokit = createOctokit({ auth: 'test-token', env: sim.env, resilience: { delayUnitMs: 100 }, log: quiet });
    await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' });
    const [limited, retried] = sim.requests;
    expect([limited!.status, retried!.status]).toEqual([429, 200]);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(290);
  });

  test('a request GitHub does not answer in time is abandoned and retried', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'delay', ms: 3000 });
    const octokit = createOctokit({ auth: 'test-token', env: sim.env, resilience: { delayUnitMs: 1, requestTimeoutMs: 150 }, log: quiet });
    const started = Date.now();
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' });
    expect(data.full_name).toBe('acme/api');
    expect(sim.count()).toBe(2);
    expect(Date.now() - started).toBeLessThan(2500); // abandoned, not waited out
  });

  test('rate limits are retried a bounded number of times', async () => {
    sim = await startGitHubSimulator(scenario().repo('acme/api'));
    sim.faults.add('GET /repos/{owner}/{repo}', { kind: 'secondary-rate-limit', retryAfter: 1 }, 10);
    const octokit = createOctokit({ auth: 'test-token', env: sim.env, resilience: { delayUnitMs: 1, maxRetries: 2 }, log: quiet });
    await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' })).rejects.toMatchObject({ status: 403 });
    expect(sim.count()).toBe(3);
  });
});
