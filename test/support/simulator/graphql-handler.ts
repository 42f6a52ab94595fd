import { defaultFieldResolver, graphql, Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLFieldResolver, type OperationDefinitionNode } from 'graphql';
import type { Faults } from './faults.js';
import type { GqlContext } from './graphql-actor-views.js';
import { GitHubGraphqlError } from './graphql-error.js';
import { githubSchema } from './graphql-schema.js';
import { queryCost, queryRoot } from './graphql-views.js';

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

/**
 * The points GitHub charges for a request body: the cost of the operation it
 * runs (at least 1; a body that does not parse costs 1, as GitHub charges it).
 */
export function requestCost(body: { query?: unknown; variables?: unknown; operationName?: unknown }): number {
  if (typeof body.query !== 'string') return 1;
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch {
    return 1;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = typeof body.operationName === 'string' ? operations.find((o) => o.name?.value === body.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return 1;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  try {
    return queryCost(githubSchema(), operation, fragments, (body.variables ?? {}) as Record<string, unknown>);
  } catch {
    return 1;
  }
}
