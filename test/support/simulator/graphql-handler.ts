import { defaultFieldResolver, graphql, type GraphQLFieldResolver } from 'graphql';
import type { Faults } from './faults.js';
import type { GqlContext } from './graphql-actor-views.js';
import { GitHubGraphqlError } from './graphql-error.js';
import { githubSchema } from './graphql-schema.js';
import { queryRoot } from './graphql-views.js';

/**
 * Executes a GraphQL request against GitHub's published schema over the
 * world. Errors carry GitHub's top-level `type` (`NOT_FOUND`, `FORBIDDEN`, …)
 * and `path`, next to whatever data did resolve, as GitHub answers.
 */
export async function executeGraphql(
  body: { query?: unknown; variables?: unknown; operationName?: unknown },
  ctx: GqlContext & { faults: Faults },
): Promise<{ data?: unknown; errors?: unknown[] }> {
  if (typeof body.query !== 'string') {
    return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] };
  }
  const fieldResolver: GraphQLFieldResolver<unknown, typeof ctx> = (source, args, context, info) => {
    const fault = context.faults.takeField(`${info.parentType.name}.${info.fieldName}`);
    if (fault) throw new GitHubGraphqlError(fault.type, fault.message);
    return defaultFieldResolver(source, args, context, info);
  };
  const result = await graphql({
    schema: githubSchema(),
    source: body.query,
    rootValue: queryRoot(),
    contextValue: ctx,
    variableValues: (body.variables ?? {}) as Record<string, unknown>,
    operationName: typeof body.operationName === 'string' ? body.operationName : null,
    fieldResolver,
  });
  if (!result.errors) return { data: result.data };
  const errors = result.errors.map((error) => {
    const original = error.originalError;
    return {
      ...(original instanceof GitHubGraphqlError ? { type: original.type } : {}),
      ...(error.path ? { path: error.path } : {}),
      ...(error.locations ? { locations: error.locations } : {}),
      message: error.message,
    };
  });
  return result.data === undefined ? { errors } : { data: result.data, errors };
}
