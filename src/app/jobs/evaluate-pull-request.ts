import { evaluate } from '../../core/policy/evaluate.js';
import { errorVerdict, policyErrorVerdict } from '../../core/policy/special-verdicts.js';
import type { Verdict, VerdictSubject } from '../../core/policy/verdict.js';
import type { ChangeFacts } from '../../core/facts.js';
import type { EvaluationRecord, PolicyRecord } from '../../core/records.js';
import { collectChange } from '../../github/collect-change.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import type { PolicyLoad } from '../../github/load-policy.js';
import { withRecordedPushes } from './head-pushes.js';
import type { JobContext } from './job.js';

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** What the webhook already told us about the pull request, for an error verdict when GitHub cannot be read. */
export interface PullRequestHint {
  url?: string;
  headSha?: string;
  baseRef?: string;
  author?: string | null;
}

export interface Evaluation {
  record: EvaluationRecord;
  /** The collection failed with an error worth retrying. */
  retryable: boolean;
}

/**
 * Gathers a pull request's evidence and policy (one GraphQL request), adds
 * the pushes to its head branch the app recorded as deliveries arrived, and
 * judges it. GitHub failures become an `error` verdict with the cause — never
 * a pass; an invalid policy file becomes a non-compliant verdict naming it.
 *
 * @example const { record } = await evaluatePullRequest(ctx, { owner: 'acme', repo: 'api', number: 7 }, hint);
 */
export async function evaluatePullRequest(ctx: JobContext, ref: PullRequestRef, hint: PullRequestHint = {}, stage: Verdict['stage'] = 'open'): Promise<Evaluation> {
  const { clock, policyCache } = ctx.services;
  let collected: { facts: ChangeFacts; policy: PolicyLoad };
  try {
    collected = await collectChange(ctx.octokit, ref, { now: clock, cache: policyCache });
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    const verdict = errorVerdict(subjectFromHint(ref, hint), error.message, stage, clock());
    return { record: { trigger: ctx.trigger, verdict, facts: null, policy: null }, retryable: error.retryable };
  }
  const facts = await withRecordedPushes(ctx, collected.facts);
  const { policy } = collected;
  const verdict: Verdict = policy.ok ? evaluate(policy.policy, facts, clock()) : policyErrorVerdict(facts, policy.error.problems, clock());
  return { record: { trigger: ctx.trigger, verdict, facts, policy: policyRecord(policy) }, retryable: false };
}

export function policyRecord(policy: PolicyLoad): PolicyRecord {
  return policy.ok
    ? { valid: true, settings: policy.policy, files: policy.source.files }
    : { valid: false, problems: policy.error.problems, files: policy.source.files };
}

function subjectFromHint(ref: PullRequestRef, hint: PullRequestHint): VerdictSubject {
  return {
    repository: `${ref.owner}/${ref.repo}`,
    number: ref.number,
    url: hint.url ?? `${ref.owner}/${ref.repo}#${ref.number}`,
    headSha: hint.headSha ?? '',
    baseRef: hint.baseRef ?? '',
    author: hint.author ?? null,
    mergeCommitSha: null,
    mergedAt: null,
    mergedBy: null,
  };
}
