import { targetsOutOfScopeBranch } from '../../core/policy/special-verdicts.js';
import type { ChangeRecord, ExceptionRecord } from '../../core/records.js';
import type { EntryInput, LedgerEntry } from '../../ledger/index.js';
import { evaluatePullRequest, type PullRequestHint, type PullRequestRef } from './evaluate-pull-request.js';
import { NOTHING, RetryLater, type JobContext, type JobResult } from './job.js';
import { publishing, publishVerdict } from './publish-verdict.js';
import { policyEntries } from './policy-entries.js';

/**
 * A merged pull request: the final evaluation on the facts at merge becomes
 * the change record, and a change merged without passing the control opens an
 * exception (an emergency change opens one that a retrospective approval can
 * resolve). The head commit's check run shows the recorded verdict.
 *
 * GitHub failures are retried before anything is recorded: a passing outage
 * must not become a permanent exception. Only the final attempt records the
 * change as not evaluable (`error`), which is an exception too.
 */
export async function recordMerge(ctx: JobContext, ref: PullRequestRef, hint: PullRequestHint & { mergedAt: string; mergedBy: string | null; mergeCommitSha: string | null }): Promise<JobResult> {
  // A pull request merges once: a second delivery of its merge (a replay under a new id, a sweep) records nothing.
  if (await hasChangeRecord(ctx, ref)) return NOTHING;
  const { record, retryable } = await evaluatePullRequest(ctx, ref, hint, 'merge');
  const { verdict } = record;
  if (verdict.outcome === 'error' && retryable && !ctx.finalAttempt) throw new RetryLater(`evaluation at merge failed: ${verdict.error}`);
  if (targetsOutOfScopeBranch(verdict)) return { entries: [] };

  const merge = record.facts?.merge;
  const mergedAt = merge?.mergedAt ?? hint.mergedAt;
  const mergedBy = merge?.mergedBy?.login ?? hint.mergedBy;
  const exception = verdict.enforced && verdict.outcome !== 'compliant';
  const repo = `${ref.owner}/${ref.repo}`;
  const subject = `pull/${ref.number}`;
  const change: ChangeRecord = { ...record, mergedAt, mergedBy, mergeCommitSha: merge?.mergeCommitSha ?? hint.mergeCommitSha, exception };
  const entries: EntryInput[] = [...(await policyEntries(ctx, repo, record.policy, subject)), { kind: 'change', repo, subject, data: change }];
  if (exception) {
    const emergency = verdict.outcome === 'emergency';
    const data: ExceptionRecord = {
      type: emergency ? 'emergency_change' : 'merged_without_passing_control',
      subject,
      reason: emergency
        ? `Emergency change merged by @${mergedBy ?? 'unknown'} at ${mergedAt} without the required review; a retrospective approval is due by ${verdict.emergency?.deadline}.`
        : `Merged by @${mergedBy ?? 'unknown'} at ${mergedAt} while ${describeOutcome(verdict.outcome)}: ${failures(record.verdict)}.`,
      outcome: verdict.outcome,
      occurredAt: mergedAt,
      deadline: emergency ? (verdict.emergency?.deadline ?? null) : null,
      url: verdict.subject.url || null,
      actor: mergedBy,
      trigger: ctx.trigger,
    };
    entries.push({ kind: 'exception', repo, subject, data });
  }
  return {
    entries,
    act: async (recorded: LedgerEntry[]) => {
      const changeEntry = recorded.find((e) => e.kind === 'change');
      if (changeEntry) await publishVerdict(ctx.octokit, changeEntry, publishing(ctx));
    },
  };
}

async function hasChangeRecord(ctx: JobContext, ref: PullRequestRef): Promise<boolean> {
  for await (const _ of ctx.services.ledger.read({ repo: `${ref.owner}/${ref.repo}`, subject: `pull/${ref.number}`, kinds: ['change'], limit: 1 })) return true;
  return false;
}

function describeOutcome(outcome: string): string {
  return { non_compliant: 'not compliant', pending: 'still pending', error: 'not evaluable' }[outcome] ?? outcome;
}

function failures(verdict: ChangeRecord['verdict']): string {
  const unmet = verdict.rules.filter((r) => r.status === 'fail' || r.status === 'pending');
  return unmet.map((r) => `${r.name.toLowerCase()}: ${r.short}`).join('; ') || (verdict.error ?? 'unknown');
}
