import { createRequire } from 'node:module';

type OpenApi = { components: { examples: Record<string, { value: unknown }> } };
let api: OpenApi | null = null;

/**
 * A deep copy of a response example from GitHub's OpenAPI description
 * (`@octokit/openapi`), e.g. `check-run` or `commit-comparison`: real payload
 * shapes for nock replies.
 *
 * @example
 * const run = openapiExample<{ id: number }>('check-run');
 */
export function openapiExample<T = Record<string, unknown>>(name: string): T {
  api ??= createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json') as OpenApi;
  const example = api.components.examples[name];
  if (!example) throw new Error(`no OpenAPI example named ${name}`);
  return structuredClone(example.value) as T;
}
