import { nodeId } from './node-id.js';
import type { SimRepo, World } from './world.js';

/** What every GraphQL resolver gets: the world and the caller's view of it. */
export interface GqlContext {
  world: World;
  /** Whether the caller's token may read the repository. */
  canSee: (repo: SimRepo) => boolean;
  /** e.g. `https://github.com` */
  webUrl: string;
  /** The caller's GraphQL rate-limit window once this query's cost was charged to it (for `rateLimit`). */
  rate?: { cost: number; limit: number; used: number; resetAt: number };
}

/**
 * An `Actor` (`User`, `Bot`, `Organization`), or null for an unknown login
 * (GitHub's "ghost"). A bot's GraphQL login has no `[bot]` suffix, as on GitHub.
 */
export function actorView(login: string | null, ctx: GqlContext) {
  const account = login ? ctx.world.account(login) : undefined;
  if (!account) return null;
  const graphqlLogin = account.type === 'Bot' ? account.login.replace(/\[bot\]$/, '') : account.login;
  return {
    __typename: account.type,
    id: nodeId(account.type, account.id),
    databaseId: account.id,
    login: graphqlLogin,
    name: account.name,
    url: account.type === 'Bot' ? `${ctx.webUrl}/apps/${graphqlLogin}` : `${ctx.webUrl}/${account.login}`,
    avatarUrl: `https://avatars.githubusercontent.com/u/${account.id}`,
    resourcePath: `/${account.login}`,
  };
}
