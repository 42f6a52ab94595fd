import { createHash } from 'node:crypto';

/**
 * The simulator's in-memory model of GitHub: accounts, installations,
 * repositories with git history, pull requests, reviews, checks, statuses,
 * deployments and webhook deliveries. Plain mutable data; the REST and GraphQL
 * layers read it, the scenario builder and tests write it.
 */

export type AccountType = 'User' | 'Bot' | 'Organization';

export interface SimAccount {
  /** REST login: `dependabot[bot]` for a bot. */
  login: string;
  id: number;
  type: AccountType;
  name: string | null;
  /** Emails GitHub links to the account (commits by them are attributed to it). */
  emails: string[];
}

export interface GitPerson {
  name: string;
  email: string;
  date: string;
}

export interface SimCommit {
  sha: string;
  message: string;
  author: GitPerson;
  committer: GitPerson;
  parents: string[];
  /** Full file snapshot at this commit: path → content. */
  files: Map<string, string>;
  /** The signature as GitHub verified it; absent for an unsigned commit. */
  signature?: SimSignature;
}

/** A commit signature as GitHub judged it (GraphQL `GitSignature`). */
export interface SimSignature {
  isValid: boolean;
  /** `GitSignatureState`: VALID, UNKNOWN_KEY, BAD_EMAIL, … */
  state: string;
  wasSignedByGitHub: boolean;
  /** The login GitHub matched the signing key to. */
  signer: string | null;
}

/** A head-ref force push in a pull request's timeline. */
export interface SimForcePush {
  id: number;
  actor: string | null;
  before: string;
  after: string;
  createdAt: string;
}

/** A timeline item other than a force push: the base branch changed, a label added or removed. */
export type SimTimelineEvent =
  | { kind: 'base_changed'; id: number; actor: string | null; from: string; to: string; createdAt: string }
  | { kind: 'labeled' | 'unlabeled'; id: number; actor: string | null; label: string; createdAt: string };

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface SimReview {
  id: number;
  author: string | null;
  state: ReviewState;
  body: string;
  submittedAt: string | null;
  commitSha: string;
}

export interface SimPullRequest {
  id: number;
  number: number;
  title: string;
  body: string;
  author: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  baseRef: string;
  headRef: string;
  baseSha: string;
  /** Commit SHAs, oldest first; the last is the head. */
  commits: string[];
  reviews: SimReview[];
  labels: string[];
  createdAt: string;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  /** The commits a squash or rebase merge placed on the base branch (GitHub associates them with the pull request). */
  mergedCommits?: string[];
  /** Head-ref force pushes, oldest first (the timeline's HEAD_REF_FORCE_PUSHED_EVENT items). */
  forcePushes?: SimForcePush[];
  /** Base changes and labels added or removed, oldest first (the timeline's other items Changeproof reads). */
  timeline?: SimTimelineEvent[];
}

export interface SimCheckSuite {
  id: number;
  headSha: string;
  appSlug: string;
  appId: number;
}

export interface SimCheckRun {
  id: number;
  suiteId: number;
  headSha: string;
  name: string;
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'WAITING' | 'REQUESTED' | 'PENDING';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export interface SimStatus {
  id: number;
  sha: string;
  context: string;
  state: 'ERROR' | 'FAILURE' | 'PENDING' | 'SUCCESS';
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface SimDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  creator: string;
  createdAt: string;
  statuses: Array<{ id: number; state: string; creator: string; createdAt: string; description: string }>;
}

/** `MergeQueueEntryState` */
export type SimMergeQueueEntryState = 'QUEUED' | 'AWAITING_CHECKS' | 'MERGEABLE' | 'UNMERGEABLE' | 'LOCKED';

/**
 * A pull request waiting in a merge queue, with the merge group the queue
 * built for it: the group's commit sits on top of the previous entry's (or
 * the base branch), on a `gh-readonly-queue/<base>/pr-<n>-<parent>` branch.
 */
export interface SimMergeQueueEntry {
  id: number;
  number: number;
  /** Who added it to the queue (GitHub reports them as the merger). */
  enqueuer: string;
  enqueuedAt: string;
  state: SimMergeQueueEntryState;
  /** The group's commit (`MergeQueueEntry.headCommit`, the delivery's `head_sha`). */
  groupHeadSha: string;
  /** The commit the group was built on (`baseCommit`, the delivery's `base_sha`). */
  groupBaseSha: string;
  /** The group's branch, without `refs/heads/`. */
  groupRef: string;
  /** The commits the queue made for this pull request, oldest first: one merge or squash commit, or the rebased copies. */
  made: string[];
}

/** A branch's merge queue (one per protected branch that requires it). */
export interface SimMergeQueue {
  id: number;
  branch: string;
  method: 'MERGE' | 'SQUASH' | 'REBASE';
  /** In queue order: the first merges next. */
  entries: SimMergeQueueEntry[];
}

export interface SimRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  branches: Map<string, string>;
  commits: Map<string, SimCommit>;
  pulls: Map<number, SimPullRequest>;
  checkSuites: SimCheckSuite[];
  checkRuns: SimCheckRun[];
  statuses: SimStatus[];
  deployments: SimDeployment[];
  /** Accounts that can push (collaborators with write access); the owner always can. */
  writers: Set<string>;
  /** Merge queues by branch name. */
  mergeQueues?: Map<string, SimMergeQueue>;
  /** Collaborators' roles (`role_name`: admin, maintain, write, triage, read) where set; otherwise writers have write, the owner admin. */
  roles?: Map<string, string>;
  /** Comments posted on issues and pull requests (the app's replies). */
  issueComments?: SimIssueComment[];
}

/** A comment on an issue or pull request's conversation. */
export interface SimIssueComment {
  id: number;
  number: number;
  user: string;
  body: string;
  createdAt: string;
}

export interface SimInstallation {
  id: number;
  account: string;
  appId: number;
  appSlug: string;
  /** `all`, or the full names of the selected repositories. */
  repositories: 'all' | string[];
}

export interface SimHookDelivery {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  duration: number;
  status: string;
  statusCode: number;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
}

export interface ProtectionCallback {
  owner: string;
  repo: string;
  runId: number;
  body: { environment_name?: string; state?: string; comment?: string };
  at: string;
}

/** The whole simulated GitHub. */
export class World {
  readonly accounts = new Map<string, SimAccount>();
  readonly repos = new Map<string, SimRepo>();
  readonly installations = new Map<number, SimInstallation>();
  /** Issued installation tokens → installation id. */
  readonly tokens = new Map<string, { installationId: number; expiresAt: string }>();
  /** Tokens accepted without an installation (a PAT or `GITHUB_TOKEN` in tests). */
  readonly staticTokens = new Set<string>(['test-token']);
  /** Personal tokens of accounts: token → login (`GET /user` answers with its owner). */
  readonly userTokens = new Map<string, string>();
  readonly deliveries: SimHookDelivery[] = [];
  /** Organisation teams by `org/slug` (lower case): member logins, child teams' members included. */
  readonly teams = new Map<string, string[]>();
  /** Whether the app holds the organisation permission `members: read` (without it, teams cannot be read). */
  membersPermission = true;
  readonly protectionCallbacks: ProtectionCallback[] = [];
  private lastId = 1000;
  private clockMs: number;

  constructor(start = '2026-03-02T09:00:00Z') {
    this.clockMs = Date.parse(start);
  }

  /** A fresh numeric id, increasing (GitHub's ids increase too). */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** Scenario time: each call moves the clock one minute on, so events have distinct, ordered times. */
  tick(minutes = 1): string {
    this.clockMs += minutes * 60_000;
    return new Date(this.clockMs).toISOString().replace('.000Z', 'Z');
  }

  now(): string {
    return new Date(this.clockMs).toISOString().replace('.000Z', 'Z');
  }

  repo(fullName: string): SimRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`simulator: no repository ${fullName}`);
    return repo;
  }

  findRepo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  account(login: string): SimAccount | undefined {
    return this.accounts.get(login.toLowerCase());
  }

  /** The account GitHub links an email to, like commit attribution does. */
  accountByEmail(email: string): SimAccount | undefined {
    const lower = email.toLowerCase();
    for (const account of this.accounts.values()) {
      if (account.emails.some((e) => e.toLowerCase() === lower)) return account;
    }
    return undefined;
  }
}

/** Git's object id of a blob: SHA-1 over `blob <size>\0<content>`. */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** A commit id: SHA-1 over the commit's parts (not git's exact encoding, but stable and unique). */
export function commitSha(parts: { message: string; parents: string[]; author: GitPerson; tree: string; salt: number }): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

/** `Co-authored-by: Name <email>` trailers of a commit message. */
export function coAuthorsOf(message: string): Array<{ name: string; email: string }> {
  const out: Array<{ name: string; email: string }> = [];
  for (const match of message.matchAll(/^co-authored-by:\s*(.+?)\s*<([^>]+)>\s*$/gim)) {
    out.push({ name: match[1]!, email: match[2]! });
  }
  return out;
}

/** Commits reachable from `sha` (itself included), newest first by walking parents. */
export function reachable(repo: SimRepo, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !repo.commits.has(next)) continue;
    seen.add(next);
    stack.push(...repo.commits.get(next)!.parents);
  }
  return seen;
}
