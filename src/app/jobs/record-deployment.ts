import { defaultPolicy } from '../../config/parse-policy.js';
import type { DeploymentDecisionRecord, DeploymentRecord } from '../../core/records.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import { loadPolicy } from '../../github/load-policy.js';
import { RetryLater, type JobContext, type JobResult } from './job.js';

/**
 * `deployment` (created) and `deployment_status` (created): records the
 * deployment — environment, SHA, ref, creator, time, status — linked to the
 * gate's decision for it and the changes it carries, so the export can list
 * deployments and show that approval preceded deployment.
 */
export async function recordDeployment(ctx: JobContext): Promise<JobResult> {
  const p = ctx.payload;
  const deployment = p['deployment'] ?? {};
  const status = ctx.event === 'deployment_status' ? (p['deployment_status'] ?? {}) : null;
  const owner: string = p['repository']['owner']['login'];
  const repo: string = p['repository']['name'];
  const fullName = `${owner}/${repo}`;
  const deploymentId = Number(deployment['id']);
  const environment = String(status?.['environment'] ?? deployment['environment']);

  let environments = defaultPolicy().deployments.environments;
  try {
    const load = await loadPolicy(ctx.octokit, { owner, repo }, { cache: ctx.services.policyCache });
    if (load.ok) environments = load.policy.deployments.environments;
  } catch (error) {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
  }

  let decision: DeploymentRecord['decision'] = null;
  let changes: string[] = [];
  for await (const entry of ctx.services.ledger.read({ repo: fullName, kinds: ['deployment_decision'] })) {
    if (entry.subject !== `deployment/${deploymentId}`) continue;
    const record = entry.data as unknown as DeploymentDecisionRecord;
    decision = { seq: entry.seq, hash: entry.hash, state: record.decision.state, decidedAt: record.decision.evaluatedAt };
    changes = record.decision.changes;
  }
  const data: DeploymentRecord = {
    deploymentId,
    environment,
    sha: String(deployment['sha']),
    ref: deployment['ref'] ?? null,
    creator: deployment['creator']?.['login'] ?? null,
    createdAt: deployment['created_at'] ?? null,
    state: status ? String(status['state']) : null,
    at: status ? (status['created_at'] ?? null) : (deployment['created_at'] ?? null),
    gated: environments.some((e) => e.toLowerCase() === environment.toLowerCase()),
    decision,
    changes,
    trigger: ctx.trigger,
  };
  return { entries: [{ kind: 'deployment', repo: fullName, subject: `deployment/${deploymentId}`, data }] };
}
