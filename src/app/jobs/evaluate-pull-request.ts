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
  const facts = asDeliveredAtMerge(ctx, await withRecordedPushes(ctx, collected.facts));
  const { policy } = collected;
  const verdict: Verdict = policy.ok ? evaluate(policy.policy, facts, clock()) : policyErrorVerdict(facts, policy.error.problems, clock());
  return { record: { trigger: ctx.trigger, verdict, facts, policy: policyRecord(policy) }, retryable: false };
}

/**
 * Judged on the merge's own delivery (`pull_request` closed, merged): the
 * title, body and labels as GitHub sent them when the pull request merged.
 * GitHub is read later, when the delivery is processed, and an edit made in
 * between — a ticket added to the title, a label renamed to the emergency
 * label — must not change how the merge is judged. (The label timeline, which
 * names labels by their current names, then has nothing to add.)
 */
function asDeliveredAtMerge(ctx: JobContext, facts: ChangeFacts): ChangeFacts {
  const p = ctx.payload;
  const pr = p?.['pull_request'];
  if (!facts.merge || ctx.event !== 'pull_request' || p['action'] !== 'closed' || !pr?.['merged'] || pr['number'] !== facts.number) return facts;
  const labels = Array.isArray(pr['labels']) ? (pr['labels'] as Array<{ name?: unknown }>).flatMap((l) => (typeof l?.name === 'string' ? [l.name] : [])) : null;
  const { labelEvents: _timeline, ...rest } = facts;
  return {
    ...(labels ? rest : facts),
    title: typeof pr['title'] === 'string' ? pr['title'] : facts.title,
    body: typeof pr['body'] === 'string' ? pr['body'] : pr['body'] === null ? '' : facts.body,
    ...(labels ? { labels } : {}),
  };
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
