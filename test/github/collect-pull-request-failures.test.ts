import { afterEach, describe, expect, test } from 'vitest';
import { collectPullRequest } from '../../src/github/collect-pull-request.js';
import { GitHubEvidenceError } from '../../src/github/errors.js';
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

async function simulate() {
  sim = await startGitHubSimulator(scenario().repo('acme/api').pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success'));
  return sim;
}

describe('collectPullRequest when GitHub misbehaves', () => {
  test('a GraphQL partial error becomes a gap for that list; the rest is still read', async () => {
    const sim = await simulate();
    sim.faults.addField({ field: 'PullRequest.reviews', type: 'FORBIDDEN', message: 'Resource not accessible by integration' });
    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });
    expect(facts.reviews).toEqual([]);
    expect(facts.gaps).toContainEqual({ what: 'reviews', reason: expect.stringContaining('FORBIDDEN: Resource not accessible by integration') });
    expect(facts.commits).toHaveLength(2);
    expect(facts.checks).toHaveLength(1);
  });

  test("an error on one commit's co-authors is a commits gap", async () => {
    const sim = await simulate();
    sim.faults.addField({ field: 'Commit.authors', type: 'SERVICE_UNAVAILABLE', message: 'Could not load authors' });
    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });
    expect(facts.gaps.some((g) => g.what === 'commits' && g.reason.includes('Could not load authors'))).toBe(true);
  });

  test("GitHub's transient 'Something went wrong' GraphQL error is retried like a 5xx", async () => {
    const sim = await simulate();
    sim.faults.addField({ field: 'Query.repository', type: 'INTERNAL', message: 'Something went wrong while executing your query. Please include `ABCD` when reporting this issue.' });
    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });
    expect(facts.gaps).toEqual([]);
    expect(sim.count('POST /graphql')).toBe(2);
  });

  test('a 502 is retried and the second answer is used', async () => {
    const sim = await simulate();
    sim.faults.add('POST /graphql', { kind: 'status', status: 502 });
    const facts = await collectPullRequest(simulatorOctokit(sim), ref, { now });
    expect(facts.gaps).toEqual([]);
    expect(facts.reviews).toHaveLength(1);
    expect(sim.requests.map((r) => r.status)).toEqual([502, 200]);
  });

  test('5xx after every retry is a GitHubEvidenceError (unavailable), never empty evidence', async () => {
    const sim = await simulate();
    sim.faults.add('POST /graphql', { kind: 'status', status: 503 }, 10);
    const error = await collectPullRequest(simulatorOctokit(sim), ref, { now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubEvidenceError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, retryable: true });
    expect(sim.count('POST /graphql')).toBe(4); // the request and 3 retries
  });

  test("a secondary rate limit is waited out for GitHub's retry-after, then retried", async () => {
    const sim = await simulate();
    sim.faults.add('POST /graphql', { kind: 'secondary-rate-limit', retryAfter: 2 });
    const warnings: string[] = [];
    const octokit = simulatorOctokit(sim);
    octokit.log.warn = (message: string) => void warnings.push(message);
    const facts = await collectPullRequest(octokit, ref, { now });
    expect(facts.gaps).toEqual([]);
    expect(sim.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(warnings).toEqual([expect.stringMatching(/^Secondary rate limit on POST \S+\/api\/graphql: retrying in 2 s \(retry 1 of 3\)$/)]);
  });

  test('a retry-after longer than Changeproof waits fails at once as rate_limited', async () => {
    const sim = await simulate();
    sim.faults.add('POST /graphql', { kind: 'secondary-rate-limit', retryAfter: 3600 });
    const error = await collectPullRequest(simulatorOctokit(sim), ref, { now }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GitHubEvidenceError', kind: 'rate_limited' });
    expect(sim.count()).toBe(1);
  });

  test('an exhausted primary rate limit that resets in an hour fails at once as rate_limited', async () => {
    const sim = await simulate();
    sim.faults.add('POST /graphql', { kind: 'primary-rate-limit', resetInSeconds: 3600 });
    const error = await collectPullRequest(simulatorOctokit(sim), ref, { now }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GitHubEvidenceError', kind: 'rate_limited', retryable: true });
    expect(sim.count()).toBe(1);
  });

  test("GraphQL's own RATE_LIMITED error is reported as rate_limited, not as missing data", async () => {
    const sim = await simulate();
    sim.faults.addField({ field: 'Query.repository', type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 7.' });
    const error = await collectPullRequest(simulatorOctokit(sim), ref, { now }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GitHubEvidenceError', kind: 'rate_limited' });
  });

  test('a repository the installation cannot see is not_found, with the reason', async () => {
    const s = scenario().installation({ id: 7, account: 'acme', repositories: ['acme/other'] }).repo('acme/api').pullRequest({ author: 'alice' });
    sim = await startGitHubSimulator(s);
    const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"iss":4242}').toString('base64url')}.sig`;
    const token = await fetch(`${sim.apiUrl}/app/installations/7/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } }).then(
      (r) => r.json() as Promise<{ token: string }>,
    );
    const error = await collectPullRequest(simulatorOctokit(sim, { token: token.token }), ref, { now }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not_found', message: expect.stringContaining("Could not resolve to a Repository with the name 'acme/api'") });
  });
});
