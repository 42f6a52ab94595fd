import { POLICY_PATH, defaultPolicy } from '../../config/parse-policy.js';
import { introducedByMerges } from '../../core/introduced-by.js';
import { isQueueBranch } from '../../core/merge-group.js';
import { matchBranch } from '../../core/policy/scope.js';
import type { ConfigErrorRecord, ExceptionRecord, PushRecord, PushedCommit } from '../../core/records.js';
import { associateCommits } from '../../github/associate-commits.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import { listOpenPullRequests } from '../../github/list-open-pull-requests.js';
import { listRangeCommits, madeBy, type RangeCommit } from '../../github/list-range-commits.js';
import { vetUnsignedMerges } from '../../github/vet-unsigned-merges.js';
import { loadPolicy, type PolicyLoad } from '../../github/load-policy.js';
import type { EntryInput } from '../../ledger/index.js';
import { policyRecord } from './evaluate-pull-request.js';
import { evaluatePullRequests } from './evaluate-pull-requests.js';
import { headPushEntries, pushTime } from './head-pushes.js';
import { policyEntries } from './policy-entries.js';
import { NOTHING, RetryLater, type JobContext, type JobResult, type Payload } from './job.js';
import { plural } from '../../core/format.js';
import { isWebFlow } from '../../core/people.js';

const ZERO_SHA = /^0{40}$/;

/**
 * A push. Every push to a branch is recorded as a `head_push` fact (who
 * pushed what), so the pull requests on that branch know their pushers. To a
 * branch in scope, it is also recorded with every commit it brought and the
 * merged pull request whose merge commit contains each; commits none
 * contains, or a branch rewound or rewritten (forced, or `after` not
 * descending from `before`), make it a direct-push exception naming the
 * pusher, before, after and the commits removed. Its time is GitHub's
 * (`repository.pushed_at`). A merge queue's temporary branches
 * (`gh-readonly-queue/…`) are not examined: what reaches a branch in scope
 * from them arrives as the queue's push to that branch, whose merge commits
 * GitHub links to their pull requests like any merge. On the default branch, a push that changed
 * `.github/changeproof.yml` re-evaluates every open pull request under the new
 * policy (and records a `config_error` when the new file is invalid).
 *
 * A push is recorded once, whatever delivery id carries it: a replayed or
 * re-sent payload (same branch, before, after and GitHub's push time) adds
 * nothing, while the same commits pushed to another branch, or again later,
 * are pushes of their own (see pushSubject).
 *
 * Steps:
 * 1. stop if this push is already recorded;
 * 2. load the policy from the default branch (recorded when it changed);
 * 3. if the branch is in scope: list the commits, find what introduced each, record;
 * 4. if the policy file changed on the default branch: re-evaluate the open pull requests.
 */
export async function recordPush(ctx: JobContext): Promise<JobResult> {
  const p = ctx.payload;
  if (typeof p['ref'] !== 'string' || !p['ref'].startsWith('refs/heads/')) return NOTHING;
  const branch = p['ref'].slice('refs/heads/'.length);
  const owner: string = p['repository']['owner']['login'] ?? p['repository']['owner']['name'];
  const repo: string = p['repository']['name'];
  const fullName = `${owner}/${repo}`;
  const defaultBranch: string = p['repository']['default_branch'];
  if (p['deleted']) return recordDeletion(ctx, { owner, repo, branch, defaultBranch });

  const fact = await headPushEntries(ctx);
  if (!fact.length) return NOTHING;
  const subject = await pushSubject(ctx, fullName);
  if (subject === null) return NOTHING;

  const policy = await loadPolicyOrRetry(ctx, owner, repo);
  const entries: EntryInput[] = [...fact, ...(await policyEntries(ctx, fullName, policy ? policyRecord(policy) : null, subject))];
  // An unusable policy file must not take branches out of scope: judge by the defaults.
  const scope = policy?.ok ? policy.policy.scope.branches : defaultPolicy().scope.branches;
  // A merge queue's own branches (`gh-readonly-queue/…`) hold groups being checked; their commits reach a
  // branch in scope only through the queue's push to it, which is examined like any other push.
  if (matchBranch(scope, branch, defaultBranch) && !isQueueBranch(branch)) entries.push(...(await examinePush(ctx, { owner, repo, branch, defaultBranch }, subject)));

  if (branch !== defaultBranch || !touchesPolicyFile(p) || !policy) return { entries };
  if (!policy.ok) {
    const data: ConfigErrorRecord = { problems: policy.error.problems, files: policy.source.files, trigger: ctx.trigger };
    entries.push({ kind: 'config_error', repo: fullName, subject: `policy/${p['after']}`, data });
  }
  const open = await listOpenPullRequests(ctx.octokit, { owner, repo }).catch((error: unknown) => {
    if (error instanceof GitHubEvidenceError && error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    throw error;
  });
  const evaluations = await evaluatePullRequests(
    ctx,
    open.map((pr) => ({ ref: { owner, repo, number: pr.number }, hint: { url: pr.url, headSha: pr.headSha, baseRef: pr.baseRef, author: pr.author } })),
  );
  return { ...evaluations, entries: [...entries, ...evaluations.entries] };
}

/**
 * The subject to record this push under, or null when it is recorded already
 * (by any delivery: a replayed payload carries the same branch, before, after
 * and GitHub time). A push is `push/<after>`; another push that left the same
 * commit at a branch head — the same commits pushed to a second branch, or
 * pushed again after a rewind — is `push/<after>~2`, `~3`, …, so that each is
 * an item of its own in the population, with its own exception.
 */
async function pushSubject(ctx: JobContext, repo: string): Promise<string | null> {
  const p = ctx.payload;
  const { pushedAt, timeSource } = pushTime(p['repository']?.['pushed_at'], ctx.receivedAt);
  for (let n = 1; n <= MAX_PUSHES_OF_ONE_COMMIT; n++) {
    const subject = n === 1 ? `push/${p['after']}` : `push/${p['after']}~${n}`;
    let taken = false;
    for await (const entry of ctx.services.ledger.read({ repo, subject, kinds: ['push'] })) {
      const recorded = entry.data as unknown as PushRecord;
      taken = true;
      const sameTime = timeSource !== 'github' || recorded.pushedAt === undefined || recorded.pushedAt === pushedAt;
      if (recorded.before === String(p['before']) && recorded.ref === p['ref'] && sameTime) return null;
    }
    if (!taken) return subject;
  }
  throw new Error(`${p['after']} was pushed to the head of a branch of ${repo} more than ${MAX_PUSHES_OF_ONE_COMMIT} times`);
}

/**
 * A branch in scope deleted: everything it held is gone from it, as in a
 * rewind — and re-created later at an older commit it would otherwise be a
 * new branch with nothing to compare against. Recorded as a direct-push
 * exception naming the head it had. A branch out of scope: nothing.
 */
async function recordDeletion(ctx: JobContext, t: PushTarget): Promise<JobResult> {
  const p = ctx.payload;
  const policy = await loadPolicyOrRetry(ctx, t.owner, t.repo);
  const scope = policy?.ok ? policy.policy.scope.branches : defaultPolicy().scope.branches;
  if (!matchBranch(scope, t.branch, t.defaultBranch) || isQueueBranch(t.branch)) return NOTHING;
  const subject = await pushSubject(ctx, `${t.owner}/${t.repo}`);
  if (subject === null) return NOTHING;
  const fullName = `${t.owner}/${t.repo}`;
  const before = String(p['before']);
  const { pushedAt } = pushTime(p['repository']?.['pushed_at'], ctx.receivedAt);
  const pusher = { name: p['pusher']?.['name'] ?? null, email: p['pusher']?.['email'] ?? null };
  const push: PushRecord = {
    ref: p['ref'], before, after: String(p['after']), forced: !!p['forced'], created: false, deleted: true,
    pusher, sender: p['sender']?.['login'] ?? null, ...senderIdOf(p), receivedAt: ctx.receivedAt.toISOString(), pushedAt,
    commits: [], unreviewed: [], removed: [before], comparison: null, gap: null, trigger: ctx.trigger,
  };
  const who = push.sender ?? pusher.name ?? 'an unknown pusher';
  const reason = `@${who} deleted ${t.branch} at ${pushedAt}, removing its head ${before.slice(0, 7)} and every commit only it held; re-created, the branch would be compared with the default branch, not with what it held.`;
  return { entries: [...(await policyEntries(ctx, fullName, policy ? policyRecord(policy) : null, subject)), { kind: 'push', repo: fullName, subject, data: push }, directPushException(ctx, fullName, subject, who, reason, pushedAt)] };
}

/** Bounds the look-up above: no commit is genuinely pushed this often. */
const MAX_PUSHES_OF_ONE_COMMIT = 100;

async function loadPolicyOrRetry(ctx: JobContext, owner: string, repo: string): Promise<PolicyLoad | null> {
  try {
    return await loadPolicy(ctx.octokit, { owner, repo }, { cache: ctx.services.policyCache });
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    return null;
  }
}

interface PushTarget {
  owner: string;
  repo: string;
  branch: string;
  defaultBranch: string;
}

/** What the push did to the branch, as entries: the push record, and the direct-push exception when it was one. */
async function examinePush(ctx: JobContext, t: PushTarget, subject: string): Promise<EntryInput[]> {
  const p = ctx.payload;
  const fullName = `${t.owner}/${t.repo}`;
  const after: string = p['after'];
  const before: string = p['before'];
  const created = !!p['created'] || ZERO_SHA.test(before);
  const { pushedAt } = pushTime(p['repository']?.['pushed_at'], ctx.receivedAt);
  let commits: PushedCommit[] = [];
  let removed: string[] = [];
  let comparison: PushRecord['comparison'] = null;
  const gaps: string[] = [];
  try {
    // A new branch brings what is not already on the default branch.
    const base = created ? t.defaultBranch : before;
    if (base === t.branch) {
      gaps.push('the first push of the default branch: there is no earlier state to compare with');
    } else {
      const range = await listRangeCommits(ctx.octokit, { owner: t.owner, repo: t.repo, base, head: after });
      if (range.gap) gaps.push(range.gap);
      comparison = created ? null : range.status;
      commits = await introduce(ctx, t, range.commits);
    }
    if (!created && (p['forced'] || comparison === 'behind' || comparison === 'diverged')) {
      // Rewound or rewritten: what the branch held before and no longer does.
      const lost = await listRangeCommits(ctx.octokit, { owner: t.owner, repo: t.repo, base: after, head: before });
      if (lost.gap) gaps.push(`the commits removed could not all be listed: ${lost.gap}`);
      removed = lost.commits.map((c) => c.sha);
    }
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    gaps.push(error.message);
  }
  const gap = gaps.length ? gaps.join('; ') : null;
  const unreviewed = commits.filter((c) => c.introducedBy === null).map((c) => c.sha);
  const rewound = !created && (!!p['forced'] || comparison === 'behind' || comparison === 'diverged');
  const pusher = { name: p['pusher']?.['name'] ?? null, email: p['pusher']?.['email'] ?? null };
  const push: PushRecord = {
    ref: p['ref'], before, after, forced: !!p['forced'], created: !!p['created'], deleted: !!p['deleted'],
    pusher, sender: p['sender']?.['login'] ?? null, ...senderIdOf(p), receivedAt: ctx.receivedAt.toISOString(), pushedAt,
    commits, unreviewed, removed, comparison, gap, trigger: ctx.trigger,
  };
  const entries: EntryInput[] = [{ kind: 'push', repo: fullName, subject, data: push }];
  if (unreviewed.length || rewound || gap) {
    const who = push.sender ?? pusher.name ?? 'an unknown pusher';
    const what = [
      rewound ? `the branch was ${comparison === 'behind' ? 'rewound' : 'rewritten'}${push.forced ? ' (forced)' : ''}, removing ${plural(removed.length, 'commit')}${removed.length ? `: ${shortList(removed)}` : ''}` : '',
      unreviewed.length ? `${plural(unreviewed.length, 'commit')} reached ${t.branch} without a merged pull request: ${shortList(unreviewed)}` : '',
      ...commits.flatMap((c) => (c.note ? [c.note] : [])),
      gap ? `the pushed commits could not all be checked: ${gap}` : '',
    ].filter(Boolean);
    const reason = `@${who} pushed ${before.slice(0, 7)}..${after.slice(0, 7)} to ${t.branch}${push.forced ? ' (forced)' : ''} at ${pushedAt}; ${what.join('; ')}.`;
    entries.push(directPushException(ctx, fullName, subject, who, reason, pushedAt));
  }
  return entries;
}

/** The direct-push exception of a push (or a branch deletion): who, what it did, and GitHub's time of it. */
function directPushException(ctx: JobContext, repo: string, subject: string, who: string, reason: string, pushedAt: string): EntryInput {
  const compare = ctx.payload['compare'];
  const data: ExceptionRecord = {
    type: 'direct_push', subject, reason, outcome: null, occurredAt: pushedAt, deadline: null,
    url: typeof compare === 'string' ? compare : null, actor: who, trigger: ctx.trigger,
  };
  return { kind: 'exception', repo, subject, data };
}

/** Each commit of the range, with the pull request merged into this branch whose merge commit contains it (by ancestry). */
async function introduce(ctx: JobContext, t: PushTarget, commits: RangeCommit[]): Promise<PushedCommit[]> {
  const links = await associateCommits(ctx.octokit, { owner: t.owner, repo: t.repo, shas: commits.map((c) => c.sha) });
  const associated = new Map(links.map((l) => [l.sha, l.pullRequests]));
  const vetted = await vetUnsignedMerges(ctx.octokit, t, commits.map((c) => ({ ...c, madeBy: madeBy(c) })), associated, t.branch);
  const introduced = introducedByMerges(vetted.range, associated, t.branch);
  return commits.map((c) => {
    const pr = introduced.get(c.sha);
    const note = pr ? undefined : vetted.notes.get(c.sha);
    return {
      sha: c.sha,
      author: c.author.user?.login ?? c.author.email,
      ...(isWebFlow(c.committer) ? {} : { committer: c.committer.user?.login ?? c.committer.email }),
      headline: c.headline,
      introducedBy: pr ? { number: pr.number, url: pr.url, mergedAt: pr.mergedAt, mergeCommitSha: pr.mergeCommitSha } : null,
      ...(note ? { note } : {}),
    };
  });
}

function shortList(shas: readonly string[]): string {
  const shown = shas.slice(0, 10).map((s) => s.slice(0, 7)).join(', ');
  return shas.length > 10 ? `${shown} and ${shas.length - 10} more` : shown;
}

/** Whether the push changed the policy file; GitHub lists at most 20 commits, so a longer push may have. */
function touchesPolicyFile(p: Payload): boolean {
  const commits = (p['commits'] ?? []) as Payload[];
  if (commits.length >= 20) return true;
  return commits.some((c) => [...(c['added'] ?? []), ...(c['modified'] ?? []), ...(c['removed'] ?? [])].includes(POLICY_PATH));
}

/** The sender's account id, when the delivery gives one: a rename does not change it. */
function senderIdOf(p: Payload): { senderId?: number } {
  const id: unknown = p['sender']?.['id'];
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? { senderId: id } : {};
}
