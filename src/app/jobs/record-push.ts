import { POLICY_PATH, defaultPolicy } from '../../config/parse-policy.js';
import { matchBranch } from '../../core/policy/scope.js';
import type { ConfigErrorRecord, ExceptionRecord, PushRecord, PushedCommit } from '../../core/records.js';
import { associateCommits } from '../../github/associate-commits.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import { listOpenPullRequests } from '../../github/list-open-pull-requests.js';
import { listRangeCommits, type RangeCommit } from '../../github/list-range-commits.js';
import { loadPolicy, type PolicyLoad } from '../../github/load-policy.js';
import type { EntryInput } from '../../ledger/index.js';
import { evaluatePullRequests } from './evaluate-pull-requests.js';
import { NOTHING, RetryLater, type JobContext, type JobResult, type Payload } from './job.js';

const ZERO_SHA = /^0{40}$/;

/**
 * A push. To a branch in scope, it is recorded with every commit it brought
 * and the merged pull request that introduced each; commits no merged pull
 * request introduced make it a direct-push exception (with the pusher,
 * `forced`, before and after). On the default branch, a push that changed
 * `.github/changeproof.yml` re-evaluates every open pull request under the new
 * policy (and records a `config_error` when the new file is invalid).
 *
 * Steps:
 * 1. load the policy from the default branch;
 * 2. if the branch is in scope: list the commits, associate each with its pull request, record;
 * 3. if the policy file changed on the default branch: re-evaluate the open pull requests.
 */
export async function recordPush(ctx: JobContext): Promise<JobResult> {
  const p = ctx.payload;
  if (typeof p['ref'] !== 'string' || !p['ref'].startsWith('refs/heads/') || p['deleted']) return NOTHING;
  const branch = p['ref'].slice('refs/heads/'.length);
  const owner: string = p['repository']['owner']['login'] ?? p['repository']['owner']['name'];
  const repo: string = p['repository']['name'];
  const defaultBranch: string = p['repository']['default_branch'];

  const policy = await loadPolicyOrRetry(ctx, owner, repo);
  // An unusable policy file must not take branches out of scope: judge by the defaults.
  const scope = policy?.ok ? policy.policy.scope.branches : defaultPolicy().scope.branches;
  const entries: EntryInput[] = [];
  if (matchBranch(scope, branch, defaultBranch)) entries.push(...(await examinePush(ctx, { owner, repo, branch, defaultBranch })));

  if (branch !== defaultBranch || !touchesPolicyFile(p) || !policy) return { entries };
  if (!policy.ok) {
    const data: ConfigErrorRecord = { problems: policy.error.problems, files: policy.source.files, trigger: ctx.trigger };
    entries.push({ kind: 'config_error', repo: `${owner}/${repo}`, subject: `policy/${p['after']}`, data });
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

async function examinePush(ctx: JobContext, t: PushTarget): Promise<EntryInput[]> {
  const p = ctx.payload;
  const fullName = `${t.owner}/${t.repo}`;
  const after: string = p['after'];
  const before: string = p['before'];
  // A new branch brings what is not already on the default branch.
  const base = p['created'] || ZERO_SHA.test(before) ? t.defaultBranch : before;
  let commits: PushedCommit[] = [];
  let gap: string | null = null;
  try {
    if (base === t.branch) {
      gap = 'the first push of the default branch: there is no earlier state to compare with';
    } else {
      const range = await listRangeCommits(ctx.octokit, { owner: t.owner, repo: t.repo, base, head: after });
      gap = range.gap;
      commits = await associate(ctx, t, range.commits);
    }
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    gap = error.message;
  }
  const unreviewed = commits.filter((c) => c.introducedBy === null).map((c) => c.sha);
  const receivedAt = ctx.receivedAt.toISOString();
  const pusher = { name: p['pusher']?.['name'] ?? null, email: p['pusher']?.['email'] ?? null };
  const push: PushRecord = {
    ref: p['ref'], before, after, forced: !!p['forced'], created: !!p['created'], deleted: !!p['deleted'],
    pusher, sender: p['sender']?.['login'] ?? null, receivedAt, commits, unreviewed, gap, trigger: ctx.trigger,
  };
  const subject = `push/${after}`;
  const entries: EntryInput[] = [{ kind: 'push', repo: fullName, subject, data: push }];
  if (unreviewed.length || gap) {
    const who = push.sender ?? pusher.name ?? 'an unknown pusher';
    const what = unreviewed.length
      ? `${unreviewed.length} commit(s) reached ${t.branch} without a merged pull request: ${unreviewed.map((s) => s.slice(0, 7)).join(', ')}`
      : `the pushed commits could not all be checked: ${gap}`;
    const data: ExceptionRecord = {
      type: 'direct_push',
      subject,
      reason: `@${who} pushed ${before.slice(0, 7)}..${after.slice(0, 7)} to ${t.branch}${push.forced ? ' (forced)' : ''} at ${receivedAt}; ${what}.`,
      outcome: null,
      occurredAt: receivedAt,
      deadline: null,
      url: typeof p['compare'] === 'string' ? p['compare'] : null,
      actor: who,
      trigger: ctx.trigger,
    };
    entries.push({ kind: 'exception', repo: fullName, subject, data });
  }
  return entries;
}

/** Reviewed = introduced by a pull request merged into this very branch. */
async function associate(ctx: JobContext, t: PushTarget, commits: RangeCommit[]): Promise<PushedCommit[]> {
  const links = await associateCommits(ctx.octokit, { owner: t.owner, repo: t.repo, shas: commits.map((c) => c.sha) });
  return commits.map((c, i) => {
    const merged = links[i]!.pullRequests.filter((pr) => pr.mergedAt !== null && pr.baseRef === t.branch).sort((a, b) => a.mergedAt!.localeCompare(b.mergedAt!))[0];
    return {
      sha: c.sha,
      author: c.author.user?.login ?? c.author.email,
      headline: c.headline,
      introducedBy: merged ? { number: merged.number, url: merged.url, mergedAt: merged.mergedAt } : null,
    };
  });
}

/** Whether the push changed the policy file; GitHub lists at most 20 commits, so a longer push may have. */
function touchesPolicyFile(p: Payload): boolean {
  const commits = (p['commits'] ?? []) as Payload[];
  if (commits.length >= 20) return true;
  return commits.some((c) => [...(c['added'] ?? []), ...(c['modified'] ?? []), ...(c['removed'] ?? [])].includes(POLICY_PATH));
}
