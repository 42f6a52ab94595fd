import { isoSeconds, listOf, shortSha } from '../../core/format.js';
import { groupHoldsMembers, groupMember, judgeMergeGroup, membersFromQueue, parseQueueBranch, soleChangeOfGroup, type QueueEntry } from '../../core/merge-group.js';
import { targetsOutOfScopeBranch } from '../../core/policy/special-verdicts.js';
import type { MergeGroupMember, MergeGroupRecord, PolicyRecord } from '../../core/records.js';
import { renderMergeGroupCheckRun } from '../../core/render/merge-group-check-run.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import { listRangeCommits } from '../../github/list-range-commits.js';
import type { GitHubClient } from '../../github/octokit.js';
import { publishCheckRun } from '../../github/publish-check-run.js';
import { readMergeQueue } from '../../github/read-merge-queue.js';
import type { EntryInput, LedgerEntry } from '../../ledger/index.js';
import { evaluatePullRequest } from './evaluate-pull-request.js';
import { RetryLater, type JobContext, type JobResult } from './job.js';
import { policyEntries } from './policy-entries.js';
import { describePolicy } from './publish-verdict.js';

/** A merge group, as a `merge_group` delivery (or a re-run of its check) gives it. */
export interface MergeGroupRef {
  owner: string;
  repo: string;
  /** The group's commit: what the queue would merge. */
  headSha: string;
  /** The group's branch, without `refs/heads/` (`gh-readonly-queue/main/pr-7-<sha>`). */
  headRef: string;
  /** The branch the group merges into, without `refs/heads/`. */
  baseRef: string;
  baseSha: string | null;
}

/** Who is in the group, how that was established, or why it could not be. */
interface Membership {
  source: MergeGroupRecord['membership']['source'];
  detail: string;
  mergeMethod: string | null;
  entries: Array<Pick<QueueEntry, 'number' | 'url' | 'pullRequestHead' | 'enqueuer' | 'enqueuedAt'> & { number: number; position: number | null }>;
}

/**
 * A merge queue asked for the checks of a merge group: the group passes only
 * when every pull request in it is compliant at this moment, each judged
 * exactly as its own check judges it (policy from the default branch). The
 * evaluation is a `merge_group` ledger entry; the check run on the group's
 * head shows it.
 *
 * 1. find the group's pull requests: the merge queue's entries up to this
 *    group's; failing that, the pull request the group's branch names;
 * 2. evaluate each of them as a pull request;
 * 3. with only the branch name to go by, check that the group's commits hold
 *    that pull request and nothing else;
 * 4. judge the group and record it (and the policy, when it changed);
 * 5. publish the check run on the group's head commit.
 *
 * GitHub failures are retried before anything is recorded; the final attempt
 * records the group as not established or not evaluable — a failure, never a pass.
 *
 * @example return evaluateMergeGroup(ctx, { owner: 'acme', repo: 'api', headSha, headRef: 'gh-readonly-queue/main/pr-7-…', baseRef: 'main', baseSha });
 */
export async function evaluateMergeGroup(ctx: JobContext, group: MergeGroupRef): Promise<JobResult> {
  const repo = `${group.owner}/${group.repo}`;
  const subject = `merge_group/${group.headSha}`;
  const membership = await findMembers(ctx, group);
  const { members, policy } = await evaluateMembers(ctx, group, membership);
  // A pull request is judged against its own base branch; the group's code lands on the
  // group's. One that now targets another branch (retargeted while queued) is judged by
  // the wrong branch's scope and rules, so it cannot vouch for this group.
  const strays = members.filter((m) => m.facts && m.facts.baseRef !== group.baseRef);
  if (!strays.length && members.length && members.every((m) => targetsOutOfScopeBranch(m.verdict))) {
    ctx.services.log.debug({ group: `${repo}@${group.headSha}` }, 'base branch out of scope: merge group not recorded');
    return { entries: await policyEntries(ctx, repo, policy, subject) };
  }
  const problem = strays.length
    ? `${listOf(strays.map((m) => `#${m.number} targets \`${m.facts!.baseRef}\``))}, not \`${group.baseRef}\`, the branch this group merges into`
    : membership.source === 'head_ref' ? await proveSoleChange(ctx, group, members[0]!)
    : membership.source === 'merge_queue' ? await proveGroupHolds(ctx, group, members, membership.mergeMethod)
    : membership.detail;
  const { conclusion, reason } = judgeMergeGroup(members, problem);
  const record: MergeGroupRecord = {
    trigger: ctx.trigger,
    baseRef: group.baseRef,
    headRef: group.headRef,
    baseSha: group.baseSha,
    headSha: group.headSha,
    evaluatedAt: isoSeconds(ctx.services.clock()),
    membership: {
      source: problem === null ? membership.source : null,
      detail: problem === null ? membership.detail : `${problem}${membership.source === 'head_ref' ? ` (${membership.detail})` : ''}`,
      mergeMethod: membership.mergeMethod,
    },
    pullRequests: members,
    conclusion,
    reason,
    policy,
  };
  const entries: EntryInput[] = [...(await policyEntries(ctx, repo, policy, subject)), { kind: 'merge_group', repo, subject, data: record }];
  return {
    entries,
    act: async (recorded: LedgerEntry[]) => {
      const entry = recorded.find((e) => e.kind === 'merge_group');
      if (entry) await publishMergeGroup(ctx.octokit, entry, ctx.services.clock);
    },
  };
}

/**
 * The merge group an own check run or suite on `sha` belongs to, for a
 * re-run: as recorded when GitHub asked for its checks, or else — a group
 * whose delivery the app never got — when its branch names a merge queue and
 * that queue lists `sha` as an entry's merge group commit. A branch name alone
 * is not enough: anyone who could name a branch `gh-readonly-queue/…` could
 * otherwise have a pull request's head judged as some other pull request's
 * group. `null` when `sha` is no merge group's.
 */
export async function mergeGroupOfRerun(ctx: JobContext, sha: string, headBranch: unknown): Promise<MergeGroupRef | null> {
  const owner: string = ctx.payload['repository']['owner']['login'] ?? ctx.payload['repository']['owner']['name'];
  const repo: string = ctx.payload['repository']['name'];
  for await (const entry of ctx.services.ledger.read({ repo: `${owner}/${repo}`, subject: `merge_group/${sha}`, kinds: ['merge_group'], order: 'desc', limit: 1 })) {
    const recorded = entry.data as unknown as MergeGroupRecord;
    return { owner, repo, headSha: sha, headRef: recorded.headRef, baseRef: recorded.baseRef, baseSha: recorded.baseSha };
  }
  const named = typeof headBranch === 'string' ? parseQueueBranch(headBranch) : null;
  if (!named) return null;
  try {
    const queue = await readMergeQueue(ctx.octokit, { owner, repo, branch: named.base });
    if (!queue?.entries.some((e) => e.groupHeadSha === sha)) return null;
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    return null;
  }
  return { owner, repo, headSha: sha, headRef: (headBranch as string).replace(/^refs\/heads\//, ''), baseRef: named.base, baseSha: null };
}

async function findMembers(ctx: JobContext, group: MergeGroupRef): Promise<Membership> {
  const named = parseQueueBranch(group.headRef);
  let why: string;
  let mergeMethod: string | null = null;
  try {
    const queue = await readMergeQueue(ctx.octokit, { owner: group.owner, repo: group.repo, branch: group.baseRef });
    mergeMethod = queue?.mergeMethod ?? null;
    const found = queue ? membersFromQueue(queue.entries, { headSha: group.headSha, named: named?.number ?? null }) : null;
    if (found?.ok) {
      const numbers = found.entries.map((e) => `#${e.number}`).join(', ');
      const upTo = found.matchedBy === 'head_commit' ? "this group's own" : `#${named!.number}, which the group's branch names`;
      return {
        source: 'merge_queue',
        detail: `taken from the merge queue of \`${group.baseRef}\`: every entry up to and including ${upTo} (${numbers})`,
        mergeMethod,
        entries: found.entries.map((e) => ({ ...e, number: e.number! })),
      };
    }
    why = found ? found.reason : `GitHub reports no merge queue for \`${group.baseRef}\``;
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    why = `the merge queue could not be read (${error.message})`;
  }
  if (!named) return { source: null, detail: `${why}, and the group's branch \`${group.headRef}\` names no pull request`, mergeMethod, entries: [] };
  return {
    source: 'head_ref',
    detail: `named by the group's branch \`${group.headRef}\`, since ${why}`,
    mergeMethod,
    entries: [{ number: named.number, url: null, pullRequestHead: null, position: null, enqueuer: null, enqueuedAt: null }],
  };
}

async function evaluateMembers(ctx: JobContext, group: MergeGroupRef, membership: Membership): Promise<{ members: MergeGroupMember[]; policy: PolicyRecord | null }> {
  const members: MergeGroupMember[] = [];
  let policy: PolicyRecord | null = null;
  for (const entry of membership.entries) {
    const hint = { ...(entry.url ? { url: entry.url } : {}), ...(entry.pullRequestHead ? { headSha: entry.pullRequestHead } : {}), baseRef: group.baseRef };
    const { record, retryable } = await evaluatePullRequest(ctx, { owner: group.owner, repo: group.repo, number: entry.number }, hint);
    if (record.verdict.outcome === 'error' && retryable && !ctx.finalAttempt) {
      throw new RetryLater(`#${entry.number} of the merge group ${shortSha(group.headSha)} could not be evaluated: ${record.verdict.error}`);
    }
    policy ??= record.policy;
    members.push(groupMember(entry, record));
  }
  return { members, policy };
}

/**
 * With only the group's branch to name its pull request, the group's own
 * commits must show that it holds that pull request and nothing else; null
 * when they do, otherwise why not.
 */
async function proveSoleChange(ctx: JobContext, group: MergeGroupRef, member: MergeGroupMember): Promise<string | null> {
  if (!member.facts) return `#${member.number} could not be read, so the group's commits cannot be matched to it`;
  try {
    const range = await listRangeCommits(ctx.octokit, { owner: group.owner, repo: group.repo, base: group.baseRef, head: group.headSha });
    if (range.gap) return `the group's commits could not all be listed: ${range.gap}`;
    const problem = soleChangeOfGroup(range.commits, { number: member.number, commits: member.facts.commits.map((c) => c.sha), headSha: member.facts.headSha }, group.headSha);
    return problem === null ? null : `the group's branch names #${member.number}, but ${problem}`;
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    return `the group's commits could not be read: ${error.message}`;
  }
}

/**
 * With the members taken from the queue, the group's own commits must hold
 * each of them at the head it was judged on, and nothing else (see
 * `groupHoldsMembers`); null when they do, or when a member could not be read
 * (its own verdict already fails the group), otherwise why not.
 */
async function proveGroupHolds(ctx: JobContext, group: MergeGroupRef, members: readonly MergeGroupMember[], method: string | null): Promise<string | null> {
  if (method !== 'MERGE' && method !== 'SQUASH') return null;
  if (members.some((m) => !m.facts)) return null;
  try {
    const range = await listRangeCommits(ctx.octokit, { owner: group.owner, repo: group.repo, base: group.baseRef, head: group.headSha });
    if (range.gap) return `the group's commits could not all be listed: ${range.gap}`;
    const problem = groupHoldsMembers(range.commits, members.map((m) => ({ number: m.number, commits: m.facts!.commits.map((c) => c.sha), headSha: m.facts!.headSha })), group.headSha, method);
    return problem === null ? null : `the merge queue lists ${listOf(members.map((m) => `#${m.number}`))}, but ${problem}`;
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    return `the group's commits could not be read: ${error.message}`;
  }
}

/** Shows a recorded merge group evaluation as the check run on the group's head commit (a new run each time: GitHub shows the latest). */
async function publishMergeGroup(octokit: GitHubClient, entry: LedgerEntry, now: () => Date): Promise<void> {
  const record = entry.data as unknown as MergeGroupRecord;
  const [owner, repo] = (entry.repo ?? '').split('/') as [string, string];
  const view = renderMergeGroupCheckRun(record, record.policy ? { policy: describePolicy(record.policy.files) } : {});
  await publishCheckRun(
    octokit,
    { owner, repo, headSha: record.headSha },
    { status: 'completed', conclusion: view.conclusion, title: view.title, summary: `${view.summary}\n\nLedger entry #${entry.seq} (\`${entry.hash}\`).`, externalId: `ledger:${entry.seq}` },
    { now, checkRunId: null },
  );
}
