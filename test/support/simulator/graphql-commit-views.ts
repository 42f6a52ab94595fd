import { connection, type ConnectionArgs } from './connection.js';
import { actorView, type GqlContext } from './graphql-actor-views.js';
import { nodeId } from './node-id.js';
import { coAuthorsOf, type GitPerson, type SimCheckRun, type SimCheckSuite, type SimCommit, type SimRepo, type SimStatus } from './world.js';
import { gitBlobSha } from './world.js';

/** GitHub truncates `Blob.text` of large blobs; the simulator uses 512 KiB. */
const BLOB_TEXT_LIMIT = 512 * 1024;

export function gitActorView(person: GitPerson, ctx: GqlContext) {
  const account = ctx.world.accountByEmail(person.email);
  // `GitActor.user` is typed `User`: a bot's commits link to no user in GraphQL.
  const user = account && account.type === 'User' ? actorView(account.login, ctx) : null;
  return { __typename: 'GitActor', name: person.name, email: person.email, date: person.date, avatarUrl: '', user };
}

export function commitView(repo: SimRepo, commit: SimCommit, ctx: GqlContext) {
  const webUrl = `${ctx.webUrl}/${repo.owner}/${repo.name}/commit/${commit.sha}`;
  const [headline, ...rest] = commit.message.split('\n');
  const authors = [commit.author, ...coAuthorsOf(commit.message).map((c) => ({ ...c, date: commit.author.date }))];
  return {
    __typename: 'Commit',
    id: nodeId('Commit', `${repo.id}:${commit.sha}`),
    oid: commit.sha,
    abbreviatedOid: commit.sha.slice(0, 7),
    message: commit.message,
    messageHeadline: headline,
    messageBody: rest.join('\n').trim(),
    authoredDate: commit.author.date,
    committedDate: commit.committer.date,
    url: webUrl,
    commitUrl: webUrl,
    author: gitActorView(commit.author, ctx),
    committer: gitActorView(commit.committer, ctx),
    authors: (args: ConnectionArgs) => connection(authors.map((p) => gitActorView(p, ctx)), args, 'authors'),
    parents: (args: ConnectionArgs) => connection(commit.parents.map((sha) => commitView(repo, repo.commits.get(sha)!, ctx)), args, 'parents'),
    signature: commit.signature
      ? {
          __typename: 'GpgSignature', email: commit.signature.wasSignedByGitHub ? 'noreply@github.com' : commit.author.email, isValid: commit.signature.isValid,
          payload: '', signature: '-----BEGIN PGP SIGNATURE-----', state: commit.signature.state, wasSignedByGitHub: commit.signature.wasSignedByGitHub,
          signer: actorView(commit.signature.signer, ctx), keyId: commit.signature.wasSignedByGitHub ? 'B5690EEEBB952194' : 'ABCDEF0123456789',
          verifiedAt: commit.signature.isValid ? commit.committer.date : null,
        }
      : null,
    checkSuites: (args: ConnectionArgs) =>
      connection(repo.checkSuites.filter((s) => s.headSha === commit.sha).map((s) => checkSuiteView(repo, s)), args, 'checkSuites'),
    status: () => (repo.statuses.some((s) => s.sha === commit.sha) ? statusView(repo, commit.sha, ctx) : null),
    file: ({ path }: { path: string }) => {
      const text = commit.files.get(path);
      return text === undefined ? null : treeEntryView(path, text);
    },
  };
}

function treeEntryView(path: string, text: string) {
  const oid = gitBlobSha(text);
  const byteSize = Buffer.byteLength(text, 'utf8');
  const truncated = byteSize > BLOB_TEXT_LIMIT;
  return {
    __typename: 'TreeEntry',
    name: path.split('/').at(-1),
    path,
    oid,
    type: 'blob',
    mode: 33188,
    size: byteSize,
    object: { __typename: 'Blob', id: nodeId('Blob', oid), oid, abbreviatedOid: oid.slice(0, 7), byteSize, isBinary: false, isTruncated: truncated, text: truncated ? text.slice(0, BLOB_TEXT_LIMIT) : text },
  };
}

function checkSuiteView(repo: SimRepo, suite: SimCheckSuite) {
  const runs = repo.checkRuns.filter((r) => r.suiteId === suite.id);
  return {
    __typename: 'CheckSuite',
    id: nodeId('CheckSuite', `${repo.id}:${suite.id}`),
    databaseId: suite.id,
    app: { __typename: 'App', slug: suite.appSlug, name: suite.appSlug, databaseId: suite.appId, id: nodeId('App', suite.appId) },
    status: runs.every((r) => r.status === 'COMPLETED') ? 'COMPLETED' : 'IN_PROGRESS',
    conclusion: null,
    checkRuns: (args: ConnectionArgs & { filterBy?: { checkType?: string; checkName?: string; appId?: number; statuses?: string[]; conclusions?: string[] } }) => {
      const filter = args.filterBy ?? {};
      // Without a filter the simulator returns only the latest run per name, like REST's default
      // `filter=latest`: a client that forgets `checkType: ALL` loses re-runs here as it would risk to on GitHub.
      let selected = filter.checkType === 'ALL' ? runs : latestPerName(runs);
      if (filter.checkName) selected = selected.filter((r) => r.name === filter.checkName);
      if (filter.statuses) selected = selected.filter((r) => filter.statuses!.includes(r.status));
      if (filter.conclusions) selected = selected.filter((r) => r.conclusion !== null && filter.conclusions!.includes(r.conclusion));
      return connection(selected.map((r) => checkRunView(repo, r)), args, 'checkRuns');
    },
  };
}

export function checkSuiteFor(repo: SimRepo, suiteId: number) {
  const suite = repo.checkSuites.find((s) => s.id === suiteId);
  return suite ? checkSuiteView(repo, suite) : null;
}

function checkRunView(repo: SimRepo, run: SimCheckRun) {
  return {
    __typename: 'CheckRun',
    id: nodeId('CheckRun', `${repo.id}:${run.id}`),
    databaseId: run.id,
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    detailsUrl: run.detailsUrl,
    url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
    permalink: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
    title: run.output.title,
    summary: run.output.summary,
    text: run.output.text,
  };
}

export function statusView(repo: SimRepo, sha: string, ctx: GqlContext) {
  const contexts = latestPerContext(repo.statuses.filter((s) => s.sha === sha));
  const runs = latestPerName(repo.checkRuns.filter((r) => r.headSha === sha));
  const states = contexts.map((c) => c.state);
  const state = states.includes('ERROR') ? 'ERROR' : states.includes('FAILURE') ? 'FAILURE' : states.includes('PENDING') ? 'PENDING' : 'SUCCESS';
  return {
    __typename: 'Status',
    id: nodeId('Status', `${repo.id}:${sha}`),
    state,
    contexts: contexts.map((c) => statusContextView(repo, c, ctx)),
    context: ({ name }: { name: string }) => {
      const found = contexts.find((c) => c.context === name);
      return found ? statusContextView(repo, found, ctx) : null;
    },
    combinedContexts: (args: ConnectionArgs) =>
      connection([...runs.map((r) => checkRunView(repo, r)), ...contexts.map((c) => statusContextView(repo, c, ctx))], args, 'combinedContexts'),
  };
}

function statusContextView(repo: SimRepo, status: SimStatus, ctx: GqlContext) {
  return {
    __typename: 'StatusContext',
    id: nodeId('StatusContext', `${repo.id}:${status.id}`),
    context: status.context,
    state: status.state,
    description: status.description,
    targetUrl: status.targetUrl,
    createdAt: status.createdAt,
    avatarUrl: null,
    creator: actorView(status.creator, ctx),
  };
}

function latestPerName(runs: SimCheckRun[]): SimCheckRun[] {
  const latest = new Map<string, SimCheckRun>();
  for (const run of runs) if ((latest.get(run.name)?.id ?? -1) < run.id) latest.set(run.name, run);
  return runs.filter((r) => latest.get(r.name) === r);
}

function latestPerContext(statuses: SimStatus[]): SimStatus[] {
  const latest = new Map<string, SimStatus>();
  for (const status of statuses) if ((latest.get(status.context)?.id ?? -1) < status.id) latest.set(status.context, status);
  return [...latest.values()];
}
