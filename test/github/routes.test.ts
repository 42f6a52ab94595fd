import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { ROUTES } from '../../src/github/routes.js';

type OpenApi = { paths: Record<string, Record<string, unknown>> };
const require = createRequire(import.meta.url);
const descriptions: Record<string, OpenApi> = {
  'api.github.com': require('@octokit/openapi/generated/api.github.com.json') as OpenApi,
  'GHES 3.17': require('@octokit/openapi/generated/ghes-3.17.json') as OpenApi,
};

function described(api: OpenApi, route: string): boolean {
  const [method, path] = route.split(' ') as [string, string];
  return api.paths[path]?.[method.toLowerCase()] !== undefined;
}

describe("REST routes against GitHub's OpenAPI description (@octokit/openapi)", () => {
  const cases = Object.entries(descriptions).flatMap(([name, api]) => Object.entries(ROUTES).map(([key, route]) => [name, key, route, api] as const));

  test.each(cases)('%s describes %s (%s)', (_name, _key, route, api) => {
    expect(described(api, route)).toBe(true);
  });

  test('the check catches a route GitHub does not have (control)', () => {
    expect(described(descriptions['api.github.com']!, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/approvals')).toBe(false);
  });
});
