import type { Policy } from '../../config/policy.schema.js';
import { buildContext } from '../../core/policy/context.js';
import { findRetrospectiveApproval } from '../../core/policy/emergency.js';
import type { ChangeRecord, ExceptionRecord, ExceptionResolvedRecord } from '../../core/records.js';
import { collectPullRequest } from '../../github/collect-pull-request.js';
import { collectPathEvidence } from '../../github/collect-pull-request-paths.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import type { Ledger, LedgerEntry } from '../../ledger/index.js';
import type { PullRequestRef } from './evaluate-pull-request.js';
import { withRecordedPushes } from './head-pushes.js';
import { NOTHING, RetryLater, type JobContext, type JobResult } from './job.js';

/**
 * A review on a merged emergency change: when it is a qualifying approval
 * (the same rules as at merge, on any commit of the pull request) given after
 * the merge, it resolves the open emergency exception — on time, or late after
 * the deadline. The rules are those recorded with the change at merge.
 */
export async function resolveEmergency(ctx: JobContext, ref: PullRequestRef): Promise<JobResult> {
  const repo = `${ref.owner}/${ref.repo}`;
  const subject = `pull/${ref.number}`;
  const open = await findOpenEmergency(ctx.services.ledger, repo, subject);
  if (!open) return NOTHING;

  let facts;
  try {
    facts = await collectPullRequest(ctx.octokit, ref, { now: ctx.services.clock });
    // Path rules and code owners must be met by the approvals after the merge too.
    facts = await collectPathEvidence(ctx.octokit, ref, facts, open.policy, { now: ctx.services.clock, teams: ctx.services.policyCache.teams, prefetched: {} });
  } catch (error) {
    if (error instanceof GitHubEvidenceError && error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    if (error instanceof GitHubEvidenceError) return NOTHING; // the next review event or the sweep tries again
    throw error;
  }
  if (facts.gaps.length || !facts.merge) return NOTHING;
  // Whoever pushed to the change cannot approve it after the fact either.
  const result = findRetrospectiveApproval(buildContext(open.policy, await withRecordedPushes(ctx, facts)));
  if (result.status === 'open' || !result.approval) return NOTHING;

  const data: ExceptionResolvedRecord = {
    subject,
    exceptionSeq: open.exception.seq,
    exceptionHash: open.exception.hash,
    resolution: result.status,
    approval: { login: result.approval.login, submittedAt: result.approval.submittedAt, commitSha: result.approval.commitSha, url: result.approval.url },
    deadline: result.deadline,
    explanation: result.explanation,
    trigger: ctx.trigger,
  };
  return { entries: [{ kind: 'exception_resolved', repo, subject, data }] };
}

/** The emergency exception of a change that no later entry resolved, with the policy recorded at merge. */
export async function findOpenEmergency(ledger: Ledger, repo: string, subject: string): Promise<{ exception: LedgerEntry; policy: Policy } | null> {
  let exception: LedgerEntry | null = null;
  let policy: Policy | null = null;
  for await (const entry of ledger.read({ repo, subject, kinds: ['change', 'exception', 'exception_resolved'] })) {
    if (entry.kind === 'change') {
      const record = entry.data as unknown as ChangeRecord;
      policy = record.policy?.valid ? record.policy.settings : null;
    } else if (entry.kind === 'exception' && (entry.data as unknown as ExceptionRecord).type === 'emergency_change') {
      exception = entry;
    } else if (entry.kind === 'exception_resolved' && exception && (entry.data as unknown as ExceptionResolvedRecord).exceptionSeq === exception.seq) {
      exception = null;
    }
  }
  return exception && policy ? { exception, policy } : null;
}
