import { validate } from '@octokit/graphql-schema';
import { describe, expect, test } from 'vitest';
import { GRAPHQL_DOCUMENTS } from '../../src/github/graphql/documents.js';

describe("GraphQL documents against GitHub's published schema (@octokit/graphql-schema)", () => {
  test.each(Object.entries(GRAPHQL_DOCUMENTS))('%s is valid', (_name, document) => {
    expect(validate(document).map((e) => e.message)).toEqual([]);
  });

  test('every document in src/github is registered for validation', async () => {
    const modules = [
      await import('../../src/github/graphql/pull-request.graphql.js'),
      await import('../../src/github/graphql/pull-request-pages.graphql.js'),
      await import('../../src/github/graphql/merge-queue.graphql.js'),
      await import('../../src/github/graphql/pull-request-paths.graphql.js'),
      await import('../../src/github/graphql/team-members.graphql.js'),
      await import('../../src/github/graphql/commit-authors.graphql.js'),
    ];
    const sent = modules.flatMap((m) => Object.values(m)).filter((v) => typeof v === 'string' && /^\s*query /.test(v));
    expect(new Set(Object.values(GRAPHQL_DOCUMENTS))).toEqual(new Set(sent));
  });

  test('the validation catches a field GitHub does not have (control)', () => {
    const broken = GRAPHQL_DOCUMENTS['PULL_REQUEST_QUERY']!.replace('isDraft', 'isDraftPullRequest');
    expect(validate(broken).map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "isDraftPullRequest" on type "PullRequest"')]);
  });
});
