import { targetsOutOfScopeBranch } from '../../core/policy/special-verdicts.js';
import type { EvaluationRecord, Trigger } from '../../core/records.js';
import type { EntryInput, LedgerEntry } from '../../ledger/index.js';
import { evaluatePullRequest, type PullRequestHint, type PullRequestRef } from './evaluate-pull-request.js';
import type { FollowUp, JobContext, JobResult } from './job.js';
import { policyEntries } from './policy-entries.js';
import { publishing, publishVerdict } from './publish-verdict.js';

export interface PullRequestTarget {
  ref: PullRequestRef;
  hint?: PullRequestHint;
  /** The delivery the evaluation answers, when not the job's own (several were folded into one evaluation). */
  trigger?: Trigger;
  /** The other deliveries folded into this evaluation, oldest first. */
  coalesced?: Trigger[];
}

export const REEVALUATE_EVENT = 'changeproof.reevaluate';

/**
 * Evaluates pull requests, records each evaluation (and the policy, when it
 * changed), then shows each recorded verdict as a check run. Changes to
 * branches outside the policy's scope are neither recorded nor shown; an evaluation GitHub could not serve is recorded
 * as `error` and re-tried automatically a few times.
 *
 * @example return evaluatePullRequests(ctx, [{ ref: { owner, repo, number }, hint }]);
 */
export async function evaluatePullRequests(ctx: JobContext, targets: PullRequestTarget[]): Promise<JobResult> {
  const entries: EntryInput[] = [];
  const followUps: FollowUp[] = [];
  for (const { ref, hint, trigger, coalesced } of targets) {
    const { record: evaluated, retryable } = await evaluatePullRequest(trigger ? { ...ctx, trigger } : ctx, ref, hint);
    const record: EvaluationRecord = coalesced?.length ? { ...evaluated, coalesced } : evaluated;
    const repo = `${ref.owner}/${ref.repo}`;
    // The policy is on record even when it takes the change out of scope: that too is a control decision.
    entries.push(...(await policyEntries(ctx, repo, record.policy, `pull/${ref.number}`)));
    if (targetsOutOfScopeBranch(record.verdict)) {
      ctx.services.log.debug({ pull: `${ref.owner}/${ref.repo}#${ref.number}` }, 'base branch out of scope: not recorded');
      continue;
    }
    entries.push({ kind: 'evaluation', repo, subject: `pull/${ref.number}`, data: record });
    const retry = retryable ? reevaluation(ctx, ref) : null;
    if (retry) followUps.push(retry);
  }
  return {
    entries,
    followUps,
    act: async (recorded: LedgerEntry[]) => {
      for (const entry of recorded) if (entry.kind === 'evaluation') await publishVerdict(ctx.octokit, entry, publishing(ctx));
    },
  };
}

/** The next automatic re-evaluation after one GitHub could not serve, if any are left. */
function reevaluation(ctx: JobContext, ref: PullRequestRef): FollowUp | null {
  const previous = ctx.event === REEVALUATE_EVENT ? Number(ctx.payload['changeproof']?.['attempt'] ?? 0) : 0;
  const delays = ctx.services.settings.reevaluationDelaysMs;
  if (previous >= delays.length) return null;
  const origin = ctx.event === REEVALUATE_EVENT ? String(ctx.payload['changeproof']['origin']) : ctx.trigger.deliveryId;
  return {
    deliveryId: `reevaluate:${origin}:${ref.owner}/${ref.repo}#${ref.number}:${previous + 1}`,
    event: REEVALUATE_EVENT,
    notBefore: new Date(Date.now() + delays[previous]!),
    payload: {
      repository: { name: ref.repo, owner: { login: ref.owner }, full_name: `${ref.owner}/${ref.repo}` },
      installation: ctx.payload['installation'],
      changeproof: { number: ref.number, attempt: previous + 1, origin },
    },
  };
}
