import {
  getNamedType, isCompositeType, isObjectType, isInterfaceType, Kind, valueFromASTUntyped,
  type DirectiveNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import { connection, type ConnectionArgs } from './connection.js';
import { actorView, type GqlContext } from './graphql-actor-views.js';
import { checkSuiteFor, commitView, statusView } from './graphql-commit-views.js';
import { GitHubGraphqlError } from './graphql-error.js';
import { pullRequestFiles } from './diff.js';
import { decodeNodeId, nodeId } from './node-id.js';
import type { SimMergeQueue, SimPullRequest, SimRepo } from './world.js';

/** The root `Query` fields the simulator serves. */
export function queryRoot() {
  return {
    repository: ({ owner, name }: { owner: string; name: string }, ctx: GqlContext) => {
      const repo = ctx.world.findRepo(owner, name);
      if (!repo || !ctx.canSee(repo)) throw new GitHubGraphqlError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repositoryView(repo, ctx);
    },
    node: ({ id }: { id: string }, ctx: GqlContext) => resolveNode(id, ctx),
    organization: ({ login }: { login: string }, ctx: GqlContext) => organizationView(login, ctx),
    // What GitHub charged for the query as sent (see `queryCost`), and the caller's window after it: 5,000 points an hour.
    rateLimit: (_args: unknown, ctx: GqlContext, info: GraphQLResolveInfo) => {
      const cost = ctx.rate?.cost ?? queryCost(info.schema, info.operation, info.fragments, info.variableValues);
      const limit = ctx.rate?.limit ?? 5000;
      const used = ctx.rate?.used ?? cost;
      const resetAt = ctx.rate ? new Date(ctx.rate.resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z') : ctx.world.now();
      return { cost, limit, remaining: Math.max(0, limit - used), used, nodeCount: 0, resetAt };
    },
  };
}

function repositoryView(repo: SimRepo, ctx: GqlContext) {
  const fullName = `${repo.owner}/${repo.name}`;
  const refView = (branch: string) => {
    const sha = repo.branches.get(branch);
    return sha ? { __typename: 'Ref', id: nodeId('Ref', `${repo.id}:${branch}`), name: branch, prefix: 'refs/heads/', target: commitView(repo, repo.commits.get(sha)!, ctx) } : null;
  };
  return {
    __typename: 'Repository',
    id: nodeId('Repository', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: fullName,
    isPrivate: repo.private,
    url: `${ctx.webUrl}/${fullName}`,
    owner: actorView(repo.owner, ctx),
    defaultBranchRef: () => refView(repo.defaultBranch),
    ref: ({ qualifiedName }: { qualifiedName: string }) => refView(qualifiedName.replace(/^refs\/heads\//, '')),
    pullRequest: ({ number }: { number: number }) => {
      const pr = repo.pulls.get(number);
      if (!pr) throw new GitHubGraphqlError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
      return pullRequestView(repo, pr, ctx);
    },
    // GitHub answers null for a branch without a merge queue; no branch means the default branch's.
    mergeQueue: ({ branch }: { branch?: string | null }) => {
      const queue = repo.mergeQueues?.get(branch ?? repo.defaultBranch);
      return queue ? mergeQueueView(repo, queue, ctx) : null;
    },
    object: ({ oid, expression }: { oid?: string; expression?: string }) => {
      const sha = oid ?? resolveExpression(repo, expression ?? '');
      const commit = sha ? repo.commits.get(sha) : undefined;
      return commit ? commitView(repo, commit, ctx) : null;
    },
  };
}

function resolveExpression(repo: SimRepo, expression: string): string | undefined {
  // `<rev>^<n>` (n-th parent) and `<rev>~<n>` (n-th first-parent ancestor), as git rev-parse reads them.
  const walk = /^(.+?)([~^])(\d*)$/.exec(expression);
  if (walk) {
    let sha = resolveExpression(repo, walk[1]!);
    const n = walk[3] === '' ? 1 : Number(walk[3]);
    if (walk[2] === '^') return sha ? repo.commits.get(sha)?.parents[n - 1] : undefined;
    for (let i = 0; i < n && sha; i += 1) sha = repo.commits.get(sha)?.parents[0];
    return sha;
  }
  const ref = expression === 'HEAD' ? repo.defaultBranch : expression;
  return repo.branches.get(ref) ?? (repo.commits.has(ref) ? ref : undefined);
}

function pullRequestView(repo: SimRepo, pr: SimPullRequest, ctx: GqlContext) {
  const url = `${ctx.webUrl}/${repo.owner}/${repo.name}/pull/${pr.number}`;
  const commitNodes = () =>
    pr.commits.map((sha) => ({ __typename: 'PullRequestCommit', id: nodeId('PullRequestCommit', `${pr.id}:${sha}`), url, commit: commitView(repo, repo.commits.get(sha)!, ctx) }));
  return {
    __typename: 'PullRequest',
    id: nodeId('PullRequest', `${repo.id}:${pr.number}`),
    databaseId: pr.id,
    number: pr.number,
    url,
    title: pr.title,
    body: pr.body,
    state: pr.mergedAt ? 'MERGED' : pr.state === 'closed' ? 'CLOSED' : 'OPEN',
    isDraft: pr.draft,
    createdAt: pr.createdAt,
    closedAt: pr.closedAt,
    author: actorView(pr.author, ctx),
    baseRefName: pr.baseRef,
    headRefName: pr.headRef,
    headRepository: () => repositoryView(repo, ctx),
    baseRefOid: pr.baseSha,
    headRefOid: pr.commits.at(-1),
    merged: pr.mergedAt !== null,
    mergedAt: pr.mergedAt,
    mergedBy: actorView(pr.mergedBy, ctx),
    mergeCommit: pr.mergeCommitSha ? commitView(repo, repo.commits.get(pr.mergeCommitSha)!, ctx) : null,
    labels: (args: ConnectionArgs) =>
      connection(pr.labels.map((name) => ({ __typename: 'Label', id: nodeId('Label', `${repo.id}:${name}`), name, color: 'ededed' })), args, 'labels'),
    commits: (args: ConnectionArgs) => connection(commitNodes(), args, 'commits'),
    // Only the timeline items Changeproof asks for are modelled: head-ref force pushes, base changes, labels added and removed.
    timelineItems: (args: ConnectionArgs & { itemTypes?: string[] | null }) => {
      const wanted = (type: string) => !args.itemTypes || args.itemTypes.includes(type);
      const items: Array<{ createdAt: string; node: Record<string, unknown> }> = [];
      if (wanted('HEAD_REF_FORCE_PUSHED_EVENT')) {
        for (const e of pr.forcePushes ?? []) {
          items.push({ createdAt: e.createdAt, node: {
            __typename: 'HeadRefForcePushedEvent', id: nodeId('HeadRefForcePushedEvent', e.id), createdAt: e.createdAt, actor: actorView(e.actor, ctx),
            beforeCommit: repo.commits.has(e.before) ? commitView(repo, repo.commits.get(e.before)!, ctx) : null,
            afterCommit: repo.commits.has(e.after) ? commitView(repo, repo.commits.get(e.after)!, ctx) : null,
            ref: null,
          } });
        }
      }
      for (const e of pr.timeline ?? []) {
        if (e.kind === 'base_changed' && wanted('BASE_REF_CHANGED_EVENT')) {
          items.push({ createdAt: e.createdAt, node: { __typename: 'BaseRefChangedEvent', id: nodeId('BaseRefChangedEvent', e.id), createdAt: e.createdAt, actor: actorView(e.actor, ctx), previousRefName: e.from, currentRefName: e.to } });
        } else if (e.kind !== 'base_changed' && wanted(e.kind === 'labeled' ? 'LABELED_EVENT' : 'UNLABELED_EVENT')) {
          const type = e.kind === 'labeled' ? 'LabeledEvent' : 'UnlabeledEvent';
          items.push({ createdAt: e.createdAt, node: { __typename: type, id: nodeId(type, e.id), createdAt: e.createdAt, actor: actorView(e.actor, ctx), label: { __typename: 'Label', id: nodeId('Label', `${repo.id}:${e.label}`), name: e.label, color: 'ededed' } } });
        }
      }
      items.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      return connection(items.map((i) => i.node), args, 'timelineItems');
    },
    // The files the pull request changes against its merge base with the base branch (no rename detection).
    files: (args: ConnectionArgs) =>
      connection(pullRequestFiles(repo, pr).map((f) => ({
        __typename: 'PullRequestChangedFile', path: f.path, changeType: f.status === 'added' ? 'ADDED' : f.status === 'removed' ? 'DELETED' : 'MODIFIED',
        additions: 0, deletions: 0, viewerViewedState: 'UNVIEWED',
      })), args, 'files'),
    changedFiles: () => pullRequestFiles(repo, pr).length,
    baseRef: () => {
      const sha = repo.branches.get(pr.baseRef);
      return sha ? { __typename: 'Ref', id: nodeId('Ref', `${repo.id}:${pr.baseRef}`), name: pr.baseRef, prefix: 'refs/heads/', target: commitView(repo, repo.commits.get(sha)!, ctx) } : null;
    },
    // Another account's pending (unsubmitted) review is invisible to an app.
    reviews: (args: ConnectionArgs) => connection(pr.reviews.filter((r) => r.state !== 'PENDING').map((r) => reviewView(repo, pr, r.id, ctx)), args, 'reviews'),
  };
}

/**
 * An organisation, for its teams only. Without the `members: read`
 * permission an app gets GitHub's FORBIDDEN error for a team, as on GitHub.
 */
function organizationView(login: string, ctx: GqlContext) {
  const account = ctx.world.account(login);
  if (!account || account.type !== 'Organization') throw new GitHubGraphqlError('NOT_FOUND', `Could not resolve to an Organization with the login of '${login}'.`);
  return {
    __typename: 'Organization',
    id: nodeId('Organization', account.id),
    login: account.login,
    team: ({ slug }: { slug: string }) => {
      if (!ctx.world.membersPermission) throw new GitHubGraphqlError('FORBIDDEN', 'Resource not accessible by integration');
      const members = ctx.world.teams.get(`${login}/${slug}`.toLowerCase());
      if (!members) return null;
      return {
        __typename: 'Team',
        id: nodeId('Team', `${login}/${slug}`),
        slug,
        members: (args: ConnectionArgs) =>
          connection(members.map((m) => actorView(m, ctx)).filter((a) => a !== null).map((a) => ({ ...a, __typename: 'User' })), args, 'members'),
      };
    },
  };
}

function mergeQueueView(repo: SimRepo, queue: SimMergeQueue, ctx: GqlContext) {
  const path = `/${repo.owner}/${repo.name}/queue/${queue.branch}`;
  const commit = (sha: string) => commitView(repo, repo.commits.get(sha)!, ctx);
  return {
    __typename: 'MergeQueue',
    id: nodeId('MergeQueue', `${repo.id}:${queue.id}`),
    url: `${ctx.webUrl}${path}`,
    resourcePath: path,
    nextEntryEstimatedTimeToMerge: null,
    configuration: {
      checkResponseTimeout: 60, maximumEntriesToBuild: 5, maximumEntriesToMerge: 5, mergeMethod: queue.method, mergingStrategy: 'ALLGREEN',
      minimumEntriesToMerge: 1, minimumEntriesToMergeWaitTime: 5,
    },
    entries: (args: ConnectionArgs) =>
      connection(queue.entries.map((entry, i) => ({
        __typename: 'MergeQueueEntry',
        id: nodeId('MergeQueueEntry', `${repo.id}:${entry.id}`),
        position: i + 1,
        state: entry.state,
        enqueuedAt: entry.enqueuedAt,
        enqueuer: actorView(entry.enqueuer, ctx),
        headCommit: commit(entry.groupHeadSha),
        baseCommit: commit(entry.groupBaseSha),
        pullRequest: pullRequestView(repo, repo.pulls.get(entry.number)!, ctx),
        jump: false,
        solo: false,
        estimatedTimeToMerge: null,
      })), args, 'entries'),
  };
}

function reviewView(repo: SimRepo, pr: SimPullRequest, reviewId: number, ctx: GqlContext) {
  const review = pr.reviews.find((r) => r.id === reviewId)!;
  return {
    __typename: 'PullRequestReview',
    id: nodeId('PullRequestReview', review.id),
    databaseId: review.id,
    fullDatabaseId: String(review.id),
    state: review.state,
    body: review.body,
    submittedAt: review.submittedAt,
    createdAt: review.submittedAt ?? ctx.world.now(),
    url: `${ctx.webUrl}/${repo.owner}/${repo.name}/pull/${pr.number}#pullrequestreview-${review.id}`,
    author: actorView(review.author, ctx),
    authorCanPushToRepository: review.author !== null && repo.writers.has(review.author.toLowerCase()),
    commit: commitView(repo, repo.commits.get(review.commitSha)!, ctx),
  };
}

function resolveNode(id: string, ctx: GqlContext) {
  const decoded = decodeNodeId(id);
  const notFound = () => new GitHubGraphqlError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
  if (!decoded) throw notFound();
  const [repoId, rest] = splitKey(decoded.key);
  const repo = [...ctx.world.repos.values()].find((r) => String(r.id) === repoId);
  if (!repo || !ctx.canSee(repo)) throw notFound();
  switch (decoded.type) {
    case 'Commit': {
      const commit = repo.commits.get(rest);
      if (commit) return commitView(repo, commit, ctx);
      break;
    }
    case 'CheckSuite': {
      const suite = checkSuiteFor(repo, Number(rest));
      if (suite) return suite;
      break;
    }
    case 'Status':
      if (repo.statuses.some((s) => s.sha === rest)) return statusView(repo, rest, ctx);
      break;
    case 'PullRequest': {
      const pr = repo.pulls.get(Number(rest));
      if (pr) return pullRequestView(repo, pr, ctx);
      break;
    }
  }
  throw notFound();
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return at < 0 ? [key, ''] : [key.slice(0, at), key.slice(at + 1)];
}

/**
 * A query's rate-limit score as GitHub documents it
 * (https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-a-rate-limit-score):
 * add up the requests needed to fulfil each unique connection in the call,
 * assuming every one reaches its `first`/`last` limit (a connection is asked
 * for once per node of the connections it sits in: `first: 100` under
 * `first: 50` is 50 requests), divide by 100 and round to the nearest whole
 * number; the minimum is 1.
 *
 * Fields are merged by response key as GraphQL executes them (fragments
 * included, `@skip`/`@include` applied), so a connection selected twice under
 * the same key counts once. A connection without `first`/`last` (GitHub
 * refuses those) counts as 100, the most a page holds.
 *
 * @example queryCost(info.schema, info.operation, info.fragments, info.variableValues) // in a resolver
 */
export function queryCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): number {
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 1;
  const requests = connectionRequests(schema, root, [operation.selectionSet], 1, fragments, variables);
  return Math.max(1, Math.round(requests / 100));
}

const PAGE_LIMIT = 100;

/** Requests to fulfil the connections under `sets` (merged selection sets of one field on `parent`), each asked `times` times. */
function connectionRequests(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  sets: readonly SelectionSetNode[],
  times: number,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  // Response key → the field's definition type and every selection set merged under it.
  const fields = new Map<string, { type: GraphQLCompositeType | null; args: Record<string, unknown>; sets: SelectionSetNode[] }>();
  const collect = (on: GraphQLCompositeType, set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (!included(selection.directives, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const definition = isObjectType(on) || isInterfaceType(on) ? on.getFields()[selection.name.value] : undefined;
        if (!definition) continue;
        const key = selection.alias?.value ?? selection.name.value;
        const named = getNamedType(definition.type);
        const entry = fields.get(key) ?? { type: isCompositeType(named) ? named : null, args: {}, sets: [] };
        for (const arg of selection.arguments ?? []) entry.args[arg.name.value] = valueFromASTUntyped(arg.value, variables);
        if (selection.selectionSet) entry.sets.push(selection.selectionSet);
        fields.set(key, entry);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        // A fragment spread inside itself is invalid GraphQL; guard anyway.
        const spread = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        if (spread !== null && seen.has(spread)) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : on;
        collect(condition && isCompositeType(condition) ? condition : on, fragment.selectionSet, spread === null ? seen : new Set(seen).add(spread));
      }
    }
  };
  for (const set of sets) collect(parent, set, new Set());

  let requests = 0;
  for (const { type, args, sets: childSets } of fields.values()) {
    if (!type || childSets.length === 0) continue;
    if (type.name.endsWith('Connection')) {
      requests += times;
      const limit = Number(args['first'] ?? args['last'] ?? PAGE_LIMIT);
      requests += connectionRequests(schema, type, childSets, times * (Number.isFinite(limit) ? limit : PAGE_LIMIT), fragments, variables);
    } else {
      requests += connectionRequests(schema, type, childSets, times, fragments, variables);
    }
  }
  return requests;
}

/** `@skip(if:)` / `@include(if:)` with the request's variables. */
function included(directives: readonly DirectiveNode[] | undefined, variables: Record<string, unknown>): boolean {
  for (const directive of directives ?? []) {
    const condition = directive.arguments?.find((a) => a.name.value === 'if');
    if (!condition) continue;
    const value = Boolean(valueFromASTUntyped(condition.value, variables));
    if (directive.name.value === 'skip' && value) return false;
    if (directive.name.value === 'include' && !value) return false;
  }
  return true;
}
