import { CHECK_RUN_NAME } from '../core/constants.js';
import type { Trigger } from '../core/records.js';
import { isQueueBranch } from '../core/merge-group.js';
import { GitHubEvidenceError } from '../github/errors.js';
import { openPullRequestsForSha } from '../github/list-open-pull-requests.js';
import { evaluateMergeGroup, mergeGroupOfRerun } from './jobs/evaluate-merge-group.js';
import { evaluatePullRequests, REEVALUATE_EVENT, type PullRequestTarget } from './jobs/evaluate-pull-requests.js';
import { NOTHING, RetryLater, type Job, type JobContext, type Payload } from './jobs/job.js';
import { gateDeployment } from './jobs/gate-deployment.js';
import { headPushEntries } from './jobs/head-pushes.js';
import { recordDeployment } from './jobs/record-deployment.js';
import { recordInstallation } from './jobs/record-installation.js';
import { recordMerge } from './jobs/record-merge.js';
import { recordPush } from './jobs/record-push.js';
import { resolveEmergency } from './jobs/resolve-emergency.js';
import { respondToComment } from './jobs/respond-to-exception.js';

/** The GitHub events the app acts on (app.yml subscribes to them), and the installation events GitHub always sends. */
export const HANDLED_EVENTS = [
  'pull_request',
  'pull_request_review',
  'check_run',
  'check_suite',
  'status',
  'push',
  'installation',
  'installation_repositories',
  'deployment',
  'deployment_status',
  'deployment_protection_rule',
  'merge_group',
  'issue_comment',
] as const;

/** Pull request actions that report a push to its head (recorded as evidence of who pushed): never folded. */
const PUSHING_PR_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);
/** Pull request actions that only ask for a re-evaluation. */
const REEVALUATING_PR_ACTIONS = new Set(['edited', 'labeled', 'unlabeled', 'ready_for_review']);
const REEVALUATING_REVIEW_ACTIONS = new Set(['submitted', 'dismissed', 'edited']);

/** The job for a delivery (re-evaluation triggers, merge, push, merge queue, deployment gate and records, installation). */
export function jobFor(event: string, payload: Payload): Job {
  const problem = malformed(event, payload);
  if (problem) return () => Promise.reject(new Error(problem));
  switch (event) {
    case 'pull_request':
      if (payload['action'] === 'closed') return payload['pull_request']?.['merged'] ? onMerged : () => Promise.resolve(NOTHING);
      if (PUSHING_PR_ACTIONS.has(payload['action'])) return onPullRequestPush;
      return REEVALUATING_PR_ACTIONS.has(payload['action']) ? reevaluate : noop;
    case 'pull_request_review':
      if (!REEVALUATING_REVIEW_ACTIONS.has(payload['action'])) return noop;
      return payload['pull_request']?.['merged_at'] ? (ctx) => resolveEmergency(ctx, refOf(ctx.payload, ctx.payload['pull_request'])) : reevaluate;
    case 'check_run':
      return onCheckRun;
    case 'check_suite':
      return onCheckSuite;
    case 'status':
      return reevaluate;
    case 'push':
      return recordPush;
    case 'installation':
    case 'installation_repositories':
      return recordInstallation;
    case 'deployment_protection_rule':
      return payload['action'] === 'requested' ? gateDeployment : noop;
    case 'deployment':
    case 'deployment_status':
      return payload['action'] === 'created' ? recordDeployment : noop;
    case 'merge_group':
      // `destroyed` (merged, dequeued, invalidated) needs nothing: the merge itself arrives as `pull_request` closed and `push`.
      return payload['action'] === 'checks_requested' ? onMergeGroup : noop;
    case 'issue_comment':
      // `/changeproof respond …` on a pull request; edits and deletions change nothing recorded.
      return payload['action'] === 'created' ? respondToComment : noop;
    case REEVALUATE_EVENT:
      return (ctx) => evaluatePullRequests(ctx, [{ ref: { ...repoOf(ctx.payload), number: Number(ctx.payload['changeproof']['number']) } }]);
    default:
      return noop;
  }
}

const isObject = (v: unknown): v is Payload => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The actions GitHub sends with these events (docs.github.com, webhook events and payloads). */
const INSTALLATION_ACTIONS = new Set(['created', 'deleted', 'suspend', 'unsuspend', 'new_permissions_accepted']);
const INSTALLATION_REPOSITORIES_ACTIONS = new Set(['added', 'removed']);

/**
 * What a delivery lacks of the shape its job reads, in words for the inbox and
 * the log; null when it has it. GitHub's payloads always do: this names the
 * problem of a malformed delivery instead of failing on it with a TypeError.
 */
export function malformed(event: string, payload: Payload): string | null {
  const needs: string[] = [];
  if (event !== 'installation' && event !== 'installation_repositories') {
    const repo = payload['repository'];
    const owner = isObject(repo) ? repo['owner'] : null;
    if (!isObject(repo) || typeof repo['name'] !== 'string' || !isObject(owner) || (typeof owner['login'] !== 'string' && typeof owner['name'] !== 'string')) {
      needs.push('repository.name and repository.owner.login');
    }
  }
  switch (event) {
    case 'pull_request':
    case 'pull_request_review':
      if (!isObject(payload['pull_request']) || !Number.isSafeInteger(payload['pull_request']['number'])) needs.push('pull_request.number');
      break;
    case 'check_run':
    case 'check_suite':
      if (!isObject(payload[event])) needs.push(event);
      break;
    case 'issue_comment':
      if (!isObject(payload['issue']) || !Number.isSafeInteger(payload['issue']['number']) || !isObject(payload['comment']) || !Number.isSafeInteger(payload['comment']['id'])) {
        needs.push('issue.number and comment.id');
      }
      break;
    case 'status':
      if (typeof payload['sha'] !== 'string') needs.push('sha');
      break;
    case 'merge_group': {
      if (payload['action'] !== 'checks_requested') break;
      const group = payload['merge_group'];
      const sha = (v: unknown) => typeof v === 'string' && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(v);
      const ref = (v: unknown) => typeof v === 'string' && /^refs\/heads\/./.test(v);
      if (!isObject(group) || !sha(group['head_sha']) || !ref(group['head_ref']) || !ref(group['base_ref']) || (group['base_sha'] != null && !sha(group['base_sha']))) {
        needs.push('merge_group with head_sha, head_ref and base_ref (refs/heads/…)');
      }
      break;
    }
    case 'push': {
      const commits = payload['commits'] ?? [];
      const lists = (c: unknown) => isObject(c) && ['added', 'modified', 'removed'].every((k) => c[k] == null || Array.isArray(c[k]));
      if (!Array.isArray(commits) || !commits.every(lists)) needs.push('commits as a list of commits with added/modified/removed lists');
      break;
    }
    case 'installation':
    case 'installation_repositories': {
      for (const key of ['repositories', 'repositories_added', 'repositories_removed']) {
        if (payload[key] != null && !Array.isArray(payload[key])) needs.push(`${key} as a list`);
      }
      // The signature covers the body, not the event header: another event's body re-sent under this
      // header (a push's, say) must not be recorded as an installation.
      const actions = event === 'installation' ? INSTALLATION_ACTIONS : INSTALLATION_REPOSITORIES_ACTIONS;
      if (typeof payload['action'] !== 'string' || !actions.has(payload['action'])) needs.push(`an action of ${[...actions].join(', ')}`);
      const installation = payload['installation'];
      if (!isObject(installation) || !Number.isSafeInteger(installation['id']) || !isObject(installation['account']) || typeof installation['account']['login'] !== 'string') {
        needs.push('installation.id and installation.account.login');
      }
      break;
    }
  }
  return needs.length ? `the ${event} payload is not shaped as GitHub sends it: it needs ${needs.join(', ')}` : null;
}

/**
 * Deliveries about one repository are processed one at a time, in the order
 * they arrived. A pull request can be reached through several keys (its number,
 * its head SHA for statuses and checks), so anything finer could evaluate one
 * pull request twice at once and create two check runs on its head.
 */
export function serialKey(event: string, payload: Payload): string {
  return payload['repository']?.['full_name'] ?? `app:${event}`;
}

const noop: Job = () => Promise.resolve(NOTHING);

/** A delivery that only asks for a re-evaluation, answered on its own (the worker folds several into one with {@link evaluateRequested}). */
const reevaluate: Job = (ctx) => evaluateRequested(ctx, [requestOf(ctx)]);

/** A pull request opened, reopened or pushed to: the push it reports is recorded, then it is evaluated. */
async function onPullRequestPush(ctx: JobContext) {
  const pushed = await headPushEntries(ctx);
  const result = await evaluatePullRequests(ctx, [targetOf(ctx.payload, ctx.payload['pull_request'])]);
  return { ...result, entries: [...pushed, ...result.entries] };
}

async function onMerged(ctx: JobContext) {
  const pr = ctx.payload['pull_request'];
  const { ref, hint } = targetOf(ctx.payload, pr);
  return recordMerge(ctx, ref, { ...hint, mergedAt: pr['merged_at'], mergedBy: pr['merged_by']?.['login'] ?? null, mergeCommitSha: pr['merge_commit_sha'] ?? null });
}

/** A merge queue asks for the checks of a merge group: every pull request in it is judged now. */
async function onMergeGroup(ctx: JobContext) {
  const group = ctx.payload['merge_group'];
  const branch = (ref: string) => ref.slice('refs/heads/'.length);
  return evaluateMergeGroup(ctx, {
    ...repoOf(ctx.payload),
    headSha: group['head_sha'],
    headRef: branch(group['head_ref']),
    baseRef: branch(group['base_ref']),
    baseSha: group['base_sha'] ?? null,
  });
}

/** Our own check run: "Re-run" re-evaluates (a merge group's, or the pull requests'). Anyone else's finishing: the pull requests of its commit are re-evaluated. */
async function onCheckRun(ctx: JobContext) {
  const run = ctx.payload['check_run'];
  const ours = run['name'] === CHECK_RUN_NAME && (ctx.services.appId === null || run['app']?.['id'] === ctx.services.appId);
  if (ours ? ctx.payload['action'] !== 'rerequested' : ctx.payload['action'] !== 'completed') return NOTHING;
  const branch = run['check_suite']?.['head_branch'];
  const group = ours ? await mergeGroupOfRerun(ctx, String(run['head_sha']), branch) : null;
  if (group) return evaluateMergeGroup(ctx, group);
  // CI finishing on a merge group's commit: no pull request has it as its head, so there is nothing to ask GitHub.
  if (!ours && typeof branch === 'string' && isQueueBranch(branch)) return NOTHING;
  return reevaluate(ctx);
}

/** A suite finishing (or ours re-requested) re-evaluates the pull requests (or the merge group) of its head commit; never our own suite completing. */
async function onCheckSuite(ctx: JobContext) {
  const suite = ctx.payload['check_suite'];
  const ours = ctx.services.appId !== null && suite['app']?.['id'] === ctx.services.appId;
  if (ours ? ctx.payload['action'] !== 'rerequested' : ctx.payload['action'] !== 'completed') return NOTHING;
  const group = ours ? await mergeGroupOfRerun(ctx, String(suite['head_sha']), suite['head_branch']) : null;
  if (group) return evaluateMergeGroup(ctx, group);
  if (!ours && typeof suite['head_branch'] === 'string' && isQueueBranch(suite['head_branch'])) return NOTHING;
  return reevaluate(ctx);
}

/**
 * What a delivery that only asks for a re-evaluation asks for: the pull
 * requests it names, or (`sha`) the open ones whose head is that commit.
 * Deliveries asking about the same head commit can be answered by one
 * evaluation (see {@link foldKey}).
 */
export interface ReevaluationRequest {
  trigger: Trigger;
  listed: PullRequestTarget[];
  /** Look up the open pull requests with this head commit (a status, or a check GitHub lists no pull request for: forks). */
  sha: string | null;
}

/**
 * The key under which a delivery's re-evaluation may be folded with others
 * (the repository and the head commit it is about), or null when it must be
 * processed on its own: merges, pushes (a `pull_request` opened, reopened or
 * synchronize records who pushed), merge groups, deployment gates, comments,
 * re-runs a user asked for, automatic retries, anything that records
 * evidence of its own.
 */
export function foldKey(event: string, payload: Payload, appId: number | null): string | null {
  if (malformed(event, payload)) return null;
  const repo = payload['repository']?.['full_name'];
  if (typeof repo !== 'string') return null;
  const headOf = (pr: Payload) => (typeof pr?.['head']?.['sha'] === 'string' ? `${repo}@${pr['head']['sha']}` : `${repo}#${pr?.['number']}`);
  switch (event) {
    case 'pull_request':
      return REEVALUATING_PR_ACTIONS.has(payload['action']) ? headOf(payload['pull_request']) : null;
    case 'pull_request_review':
      return REEVALUATING_REVIEW_ACTIONS.has(payload['action']) && !payload['pull_request']['merged_at'] ? headOf(payload['pull_request']) : null;
    case 'status':
      return `${repo}@${payload['sha']}`;
    case 'check_run':
    case 'check_suite': {
      const check = payload[event];
      // Our own run or suite: only a re-run a user asked for does anything, and it is always answered on its own.
      if (check['name'] === CHECK_RUN_NAME && event === 'check_run') return null;
      if (appId !== null && check['app']?.['id'] === appId) return null;
      if (payload['action'] !== 'completed' || typeof check['head_sha'] !== 'string') return null;
      if (typeof check['head_branch'] === 'string' && isQueueBranch(check['head_branch'])) return null;
      return `${repo}@${check['head_sha']}`;
    }
    default:
      return null;
  }
}

/** The re-evaluation a foldable delivery asks for (see {@link foldKey}). */
export function requestOf(ctx: Pick<JobContext, 'event' | 'payload' | 'trigger'>): ReevaluationRequest {
  const { event, payload, trigger } = ctx;
  switch (event) {
    case 'status':
      return { trigger, listed: [], sha: String(payload['sha']) };
    case 'check_run':
    case 'check_suite':
      return { ...checkRequest(payload, payload[event]), trigger };
    default:
      return { trigger, listed: [targetOf(payload, payload['pull_request'])], sha: null };
  }
}

/** GitHub lists a check's pull requests only within the repository (not forks); otherwise ask by commit. */
function checkRequest(payload: Payload, check: Payload): Omit<ReevaluationRequest, 'trigger'> {
  const listed: Payload[] = Array.isArray(check['pull_requests']) ? check['pull_requests'] : [];
  if (!listed.length) return { listed: [], sha: String(check['head_sha']) };
  return {
    listed: listed.map((pr) => ({ ref: { ...repoOf(payload), number: Number(pr['number']) }, hint: { headSha: pr['head']?.['sha'], baseRef: pr['base']?.['ref'] } })),
    sha: null,
  };
}

/**
 * Answers re-evaluation requests (one delivery's, or several folded into one):
 * each pull request they name or find is evaluated once, on GitHub's state now,
 * and its record names the latest delivery that asked for it as its trigger and
 * the others as `coalesced`.
 */
export async function evaluateRequested(ctx: JobContext, requests: ReevaluationRequest[]) {
  const repo = repoOf(ctx.payload);
  const byNumber = new Map<number, { target: PullRequestTarget; triggers: Trigger[] }>();
  const open = new Map<string, PullRequestTarget[]>();
  for (const request of requests) {
    let targets = request.listed;
    if (request.sha !== null) {
      if (!open.has(request.sha)) open.set(request.sha, await openTargetsOf(ctx, repo, request.sha));
      targets = open.get(request.sha)!;
    }
    for (const target of targets) {
      const known = byNumber.get(target.ref.number);
      // Requests come oldest first: the latest one's hint and trigger stand.
      if (known) byNumber.set(target.ref.number, { target: { ...target, hint: { ...known.target.hint, ...target.hint } }, triggers: [...known.triggers, request.trigger] });
      else byNumber.set(target.ref.number, { target, triggers: [request.trigger] });
    }
  }
  const targets = [...byNumber.values()].map(({ target, triggers }) => {
    const trigger = triggers[triggers.length - 1]!;
    const coalesced = triggers.slice(0, -1);
    return { ...target, trigger, ...(coalesced.length ? { coalesced } : {}) };
  });
  return evaluatePullRequests(ctx, targets);
}

async function openTargetsOf(ctx: JobContext, repo: { owner: string; repo: string }, sha: string): Promise<PullRequestTarget[]> {
  let open;
  try {
    open = await openPullRequestsForSha(ctx.octokit, { ...repo, sha });
  } catch (error) {
    if (error instanceof GitHubEvidenceError && error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    throw error;
  }
  return open.map((pr) => ({ ref: { ...repo, number: pr.number }, hint: { url: pr.url, headSha: pr.headSha, baseRef: pr.baseRef, author: pr.author } }));
}

function repoOf(payload: Payload): { owner: string; repo: string } {
  return { owner: payload['repository']['owner']['login'], repo: payload['repository']['name'] };
}

function refOf(payload: Payload, pr: Payload) {
  return { ...repoOf(payload), number: Number(pr['number']) };
}

function targetOf(payload: Payload, pr: Payload): PullRequestTarget {
  return { ref: refOf(payload, pr), hint: { url: pr['html_url'], headSha: pr['head']?.['sha'], baseRef: pr['base']?.['ref'], author: pr['user']?.['login'] ?? null } };
}
