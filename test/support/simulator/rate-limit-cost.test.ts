import { parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, describe, expect, test } from 'vitest';
import { PULL_REQUEST_QUERY } from '../../../src/github/graphql/pull-request.graphql.js';
import { scenario } from '../scenario.js';
import { githubSchema } from './graphql-schema.js';
import { queryCost } from './graphql-views.js';
import { startGitHubSimulator } from './server.js';

/** The score of a document's operation, as the simulator's `rateLimit { cost }` reports it. */
function cost(source: string, variables: Record<string, unknown> = {}): number {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]),
  );
  return queryCost(githubSchema(), operation, fragments, variables);
}

// GitHub's worked examples ("Rate limits and query limits for the GraphQL API").
describe('rate-limit score of a query, as GitHub documents it', () => {
  test('repositories(first: 100) → issues(first: 50) → labels(first: 60): 1 + 100 + 5,000 requests = 51 points', () => {
    expect(cost(`query {
      viewer { login repositories(first: 100) { edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } }
    }`)).toBe(51);
  });

  test('repositories(first: 50) → issues(first: 10): 1 + 50 requests round to 1 point', () => {
    expect(cost(`query {
      viewer { repositories(first: 50) { edges { repository: node { name issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } }
    }`)).toBe(1);
  });

  test('pull requests and issues with their comments, and followers: 1 + 50 + 1,000 + 50 + 1,000 + 1 = 2,102 requests, 21 points', () => {
    expect(cost(`query {
      viewer {
        repositories(first: 50) {
          edges {
            repository: node {
              name
              pullRequests(first: 20) { edges { pullRequest: node { title comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
              issues(first: 20) { totalCount edges { issue: node { title bodyHTML comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
            }
          }
        }
        followers(first: 10) { edges { follower: node { login } } }
      }
    }`)).toBe(21);
  });

  test('the minimum is 1, for a query without connections too', () => {
    expect(cost('query { viewer { login } rateLimit { cost } }')).toBe(1);
  });

  test('limits from variables, `last`, fragments and aliases; a field selected twice under one key counts once; @skip/@include apply', () => {
    const query = `query Q($n: Int!, $deep: Boolean!) {
      viewer {
        a: repositories(first: $n) { nodes { ...Deep } }
        a: repositories(first: $n) { nodes { name } }
        b: repositories(last: 100) { nodes { name } }
      }
    }
    fragment Deep on Repository { issues(first: 100) @include(if: $deep) { nodes { title } } }`;
    // a: 1, b: 1, and with $deep the issues of a's n repositories: n requests.
    expect(cost(query, { n: 100, deep: true })).toBe(1); // 102 requests
    expect(cost(query, { n: 50, deep: true })).toBe(1); // 52
    const labelled = `query Q($n: Int!, $deep: Boolean!) {
      viewer { a: repositories(first: $n) { nodes { ...Deep } } b: repositories(last: 100) { nodes { name } } }
    }
    fragment Deep on Repository {
      issues(first: 100) { nodes { labels(first: 100) { nodes { name } } } }
      x: issues(first: 1) @include(if: $deep) { nodes { title } }
      y: issues(first: 1) @skip(if: $deep) { nodes { title } }
    }`;
    // a 1 + b 1 + issues 100 + labels 100 × 100 + x (or y) 100 = 10,202 requests.
    expect(cost(labelled, { n: 100, deep: true })).toBe(102);
    expect(cost(labelled, { n: 100, deep: false })).toBe(102);
    // Without x or y: 10,102.
    expect(cost(labelled.replace('@skip(if: $deep)', '@include(if: $deep)'), { n: 100, deep: false })).toBe(101);
  });

  test('Changeproof’s pull-request query: labels, commits (× their authors and parents), reviews, force pushes, the head’s check suites (× their runs) and statuses', () => {
    const base = { owner: 'acme', name: 'api', number: 1, withPolicy: false, policyPath: '.github/changeproof.yml', withExtends: false, extendsOwner: '', extendsName: '', extendsPath: '', withFiles: false, withCodeOwners: false };
    // labels 1 + commits 1 + authors 100 + parents 100 + reviews 1 + force pushes 1 + head commit 1 + check suites 1 + check runs 100 + statuses 1 = 307.
    expect(cost(PULL_REQUEST_QUERY, base)).toBe(3);
    // The policy files are no connections; the changed files and code owners add their own.
    expect(cost(PULL_REQUEST_QUERY, { ...base, withPolicy: true, withExtends: true })).toBe(3);
  });
});

describe('the simulator charges GraphQL by points: rateLimit and the headers', () => {
  const started = startGitHubSimulator(scenario().repo('acme/api').pullRequest({ author: 'alice' }));
  afterAll(async () => (await started).close());

  test('cost, and remaining out of 5,000', async () => {
    const sim = await started;
    const res = await fetch(sim.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'token test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query { repository(owner: "acme", name: "api") { pullRequests: pullRequest(number: 1) { commits(first: 100) { nodes { commit { parents(first: 100) { nodes { oid } } } } } } } rateLimit { cost limit remaining } }' }),
    });
    const body = (await res.json()) as { data: { rateLimit: { cost: number; limit: number; remaining: number } } };
    // commits 1 + parents 100 = 101 requests.
    expect(body.data.rateLimit).toEqual({ cost: 1, limit: 5000, remaining: 4999 });
    const res2 = await fetch(sim.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'token test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query { repository(owner: "acme", name: "api") { pullRequest(number: 1) { commits(first: 100) { nodes { commit { parents(first: 100) { nodes { oid } } authors(first: 100) { nodes { name } } } } } } } rateLimit { cost remaining } }' }),
    });
    // commits 1 + parents 100 + authors 100 = 201 requests: 2 points, charged to the same hour (1 + 2 used).
    expect(((await res2.json()) as { data: { rateLimit: unknown } }).data.rateLimit).toEqual({ cost: 2, remaining: 4997 });
    // The headers count points too, as GitHub's do for GraphQL.
    expect([res2.headers.get('x-ratelimit-used'), res2.headers.get('x-ratelimit-remaining'), res2.headers.get('x-ratelimit-resource')]).toEqual(['3', '4997', 'graphql']);
  });
});
