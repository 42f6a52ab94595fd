import { introducedByMerges, type RangeNode } from '../../core/introduced-by.js';
import { decideDeployment, renderDeploymentComment, type DeployedCommit, type DeploymentFacts } from '../../core/policy/deployment-range.js';
import { formatProblem } from '../../config/parse-policy.js';
import type { Policy } from '../../config/policy.schema.js';
import type { DeploymentDecisionRecord, PolicySourceFile } from '../../core/records.js';
import { answerDeploymentGate, parseDeploymentCallbackUrl } from '../../github/answer-deployment-gate.js';
import { associateCommits } from '../../github/associate-commits.js';
import { GitHubEvidenceError, toGitHubEvidenceError } from '../../github/errors.js';
import { listRangeCommits, madeBy, readCommit } from '../../github/list-range-commits.js';
import { vetUnsignedMerges } from '../../github/vet-unsigned-merges.js';
import { loadPolicy, type PolicyLoad } from '../../github/load-policy.js';
import { ROUTES } from '../../github/routes.js';
import type { LedgerEntry } from '../../ledger/index.js';
import { policyRecord } from './evaluate-pull-request.js';
import { RetryLater, type JobContext, type JobResult } from './job.js';
import { policyEntries } from './policy-entries.js';
import { lastApprovedDeployment, readChangeSummaries } from './recorded-changes.js';

/**
 * A `deployment_protection_rule` request: Changeproof decides whether the
 * deployment may go ahead and answers through the callback.
 *
 * 1. load the policy from the default branch (an ungated environment is approved, saying so);
 * 2. find the range: the last approved deployment to this environment → the requested SHA
 *    (the first deployment: the change that produced the SHA);
 * 3. find the merged pull request whose merge commit contains each commit (by ancestry), and its change record;
 * 4. decide (core), record the decision with its evidence, then answer GitHub from the record.
 *
 * GitHub failures are retried first; on the last attempt the request is
 * rejected with the reason (a re-run of the deployment asks again).
 */
export async function gateDeployment(ctx: JobContext): Promise<JobResult> {
  const p = ctx.payload;
  const owner: string = p['repository']['owner']['login'];
  const repo: string = p['repository']['name'];
  const fullName = `${owner}/${repo}`;
  const environment = String(p['environment']);
  const deployment = p['deployment'] ?? {};
  const sha = String(deployment['sha'] ?? p['sha']);
  const callbackUrl = String(p['deployment_callback_url']);
  const facts: DeploymentFacts = {
    repository: fullName, environment, deploymentId: Number(deployment['id']), sha, ref: deployment['ref'] ?? p['ref'] ?? null,
    deployer: p['sender']?.['login'] ?? null, deployerId: Number.isSafeInteger(p['sender']?.['id']) ? (p['sender']['id'] as number) : null, creator: deployment['creator']?.['login'] ?? null,
    baseSha: null, rangeStatus: 'first', commits: [], gap: null,
  };

  const { record, policy, files, load } = await gather(ctx, facts, owner, repo);
  const decision = policy
    ? decideDeployment(policy, record, ctx.services.clock())
    : { state: 'rejected' as const, gated: true, summary: `Rejected: ${record.gap}`, commits: [], offending: [], changes: [], evaluatedAt: ctx.services.clock().toISOString() };
  const data: DeploymentDecisionRecord = {
    facts: record,
    decision,
    policy: policy ? { valid: true, settings: policy, files } : null,
    runId: runIdOf(callbackUrl),
    callbackUrl,
    trigger: ctx.trigger,
  };
  const subject = `deployment/${facts.deploymentId}`;
  return {
    entries: [...(await policyEntries(ctx, fullName, load ? policyRecord(load) : null, subject)), { kind: 'deployment_decision', repo: fullName, subject, data }],
    act: async (recorded: LedgerEntry[]) => {
      const entry = recorded.find((e) => e.kind === 'deployment_decision');
      const decided = entry!.data as unknown as DeploymentDecisionRecord;
      await answerDeploymentGate(ctx.octokit, {
        callbackUrl: decided.callbackUrl,
        environment: decided.facts.environment,
        state: decided.decision.state,
        comment: renderDeploymentComment(decided.decision, `Changeproof ledger entry #${entry!.seq} (deployment/${decided.facts.deploymentId}, ${entry!.hash.slice(0, 16)}…)`),
      });
    },
  };
}

/** Step 1, then 2 and 3 for a gated environment; what could not be read becomes the facts' `gap`. */
async function gather(
  ctx: JobContext, facts: DeploymentFacts, owner: string, repo: string,
): Promise<{ record: DeploymentFacts; policy: Policy | null; files: PolicySourceFile[]; load: PolicyLoad | null }> {
  const failed = (error: unknown) => {
    if (!(error instanceof GitHubEvidenceError)) throw error;
    if (error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    return error.message;
  };
  let load;
  try {
    load = await loadPolicy(ctx.octokit, { owner, repo }, { cache: ctx.services.policyCache });
  } catch (error) {
    return { record: { ...facts, gap: `the policy could not be read: ${failed(error)}` }, policy: null, files: [], load: null };
  }
  const files = load.source.files;
  if (!load.ok) return { record: { ...facts, gap: `the policy file is invalid: ${load.error.problems.map((x) => formatProblem(x)).join('; ')}` }, policy: null, files, load };
  const gated = load.policy.deployments.environments.some((e) => e.toLowerCase() === facts.environment.toLowerCase());
  if (!gated) {
    try {
      const unreviewed = await unreviewedPolicyChange(ctx, files, facts.environment);
      if (unreviewed) return { record: { ...facts, gap: unreviewed }, policy: null, files, load };
    } catch (error) {
      return { record: { ...facts, gap: `whether a reviewed change left \`${facts.environment}\` ungated could not be established: ${failed(error)}` }, policy: null, files, load };
    }
    return { record: facts, policy: load.policy, files, load };
  }
  try {
    return { record: await readRange(ctx, facts, owner, repo), policy: load.policy, files, load };
  } catch (error) {
    return { record: { ...facts, gap: failed(error) }, policy: load.policy, files, load };
  }
}

/**
 * Why the policy that leaves an environment ungated cannot be taken at its word:
 * the last commit that changed one of its files on its branch came from no merged
 * pull request (a direct push past branch protection could otherwise take production
 * out of the gate and deploy itself). One commit listing and one look-up of its pull
 * requests per policy file; null when every file's last change was merged.
 */
async function unreviewedPolicyChange(ctx: JobContext, files: readonly PolicySourceFile[], environment: string): Promise<string | null> {
  for (const file of files) {
    const [owner, repo] = file.repository.split('/') as [string, string];
    const { data } = await ctx.octokit.request(ROUTES.listCommits, { owner, repo, path: file.path, ...(file.ref ? { sha: file.ref } : {}), per_page: 1 })
      .catch((error: unknown) => { throw toGitHubEvidenceError(error, `the history of ${file.repository}:${file.path}`); });
    const last = (data as Array<{ sha: string }>)[0]?.sha;
    if (!last) continue;
    const [link] = await associateCommits(ctx.octokit, { owner, repo, shas: [last] });
    if (!link?.pullRequests.some((p) => p.mergedAt)) {
      return `the policy leaves \`${environment}\` ungated, but ${file.repository}:${file.path} was last changed by commit ${last.slice(0, 7)}, which no merged pull request introduced: an unreviewed change cannot take an environment out of the gate`;
    }
  }
  return null;
}

/** Steps 2 and 3: the commits the deployment brings, each with its pull request and change record. */
async function readRange(ctx: JobContext, facts: DeploymentFacts, owner: string, repo: string): Promise<DeploymentFacts> {
  const base = await lastApprovedDeployment(ctx.services.ledger, facts.repository, facts.environment);
  type Node = RangeNode & { author: string | null; parents: string[]; commitAuthor?: string | null };
  // The deployed commit alone (a first deployment, or a rollback): as GitHub reports it, so that a
  // merge commit made by hand is known for one. Its author is its pull request's, when it has one.
  const deployedCommit = async (): Promise<Node[]> => {
    const c = await readCommit(ctx.octokit, { owner, repo, sha: facts.sha });
    return [{ sha: c.sha, author: null, parents: c.parents, madeBy: madeBy(c), commitAuthor: c.author.user?.login ?? c.author.email }];
  };
  let commits: Node[];
  let rangeStatus: DeploymentFacts['rangeStatus'] = 'first';
  let gap: string | null = null;
  if (base && base !== facts.sha) {
    const range = await listRangeCommits(ctx.octokit, { owner, repo, base, head: facts.sha });
    rangeStatus = range.status;
    gap = range.gap;
    commits = range.commits.map((c) => ({ sha: c.sha, author: c.author.user?.login ?? c.author.email, parents: c.parents, madeBy: madeBy(c) }));
    // A rollback brings no new commit, but deploys a state of its own: it is judged itself.
    if (range.status === 'behind') commits = await deployedCommit();
  } else if (base === facts.sha) {
    rangeStatus = 'identical';
    commits = [];
  } else {
    commits = await deployedCommit();
  }
  // Reviewed only through a merged pull request whose merge commit contains the commit and is
  // the deployed SHA or an ancestor of it: an intermediate commit of a reviewed pull request is
  // not what was approved; nor a merge in GitHub's name that GitHub did not make.
  const links = await associateCommits(ctx.octokit, { owner, repo, shas: commits.map((c) => c.sha) });
  const associated = new Map(links.map((l) => [l.sha, l.pullRequests]));
  const vetted = await vetUnsignedMerges(ctx.octokit, { owner, repo }, commits, associated, null);
  const introduced = introducedByMerges(vetted.range, associated, null);
  const authors = new Map(links.map((l) => [l.sha, l.pullRequests.find((p) => p.mergedAt)?.author?.login ?? null]));
  const changes = await readChangeSummaries(ctx.services.ledger, facts.repository);
  const deployed: DeployedCommit[] = commits.map((c) => {
    const pr = introduced.get(c.sha);
    return {
      sha: c.sha,
      author: c.author ?? authors.get(c.sha) ?? c.commitAuthor ?? null,
      pullRequest: pr ? { number: pr.number, url: pr.url } : null,
      change: pr ? (changes.get(`pull/${pr.number}`) ?? null) : null,
      ...(!pr && vetted.notes.has(c.sha) ? { note: vetted.notes.get(c.sha)! } : {}),
    };
  });
  return { ...facts, baseSha: base, rangeStatus, commits: deployed, gap };
}

function runIdOf(url: string): number | null {
  try {
    return parseDeploymentCallbackUrl(url).runId;
  } catch {
    return null;
  }
}
