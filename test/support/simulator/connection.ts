import { GitHubGraphqlError } from './graphql-error.js';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/**
 * A Relay connection over `items` with GitHub's rules: `first` or `last` is
 * required, at most 100 (https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#node-limit),
 * opaque cursors, `totalCount` of the whole list.
 */
export function connection<T>(items: readonly T[], args: ConnectionArgs, name: string) {
  const { first, last, after, before } = args;
  if (first == null && last == null) {
    throw new GitHubGraphqlError('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`);
  }
  for (const [argName, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (value < 0 || value > 100)) {
      throw new GitHubGraphqlError('EXCESSIVE_PAGINATION', `Requesting ${value} records on the \`${name}\` connection exceeds the \`${argName}\` limit of 100 records.`);
    }
  }
  let start = after ? decodeCursor(after) + 1 : 0;
  let end = before ? decodeCursor(before) : items.length;
  start = Math.max(0, Math.min(start, items.length));
  end = Math.max(start, Math.min(end, items.length));
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const slice = items.slice(start, end);
  const edges = slice.map((node, i) => ({ cursor: encodeCursor(start + i), node }));
  return {
    totalCount: items.length,
    nodes: slice,
    edges,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) throw new GitHubGraphqlError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(match[1]);
}
