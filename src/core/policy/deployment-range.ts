import type { Policy } from '../../config/policy.schema.js';
import type { IsoTime } from '../facts.js';
import { at, listOf, plural, shortSha } from '../format.js';
import { sameLogin } from '../people.js';
import type { Outcome } from './verdict.js';

/**
 * What the deployment gate knows about one deployed commit: the merged pull
 * request that introduced it and that change's record in the ledger.
 */
export interface DeployedCommit {
  sha: string;
  /** Commit author login (or email when unlinked); null when unknown. */
  author: string | null;
  pullRequest: { number: number; url: string | null } | null;
  change: ChangeSummary | null;
  /** Why a merge commit GitHub names for a pull request does not count for it (see `PushedCommit.note`). */
  note?: string;
}

/** The parts of a change record (and its emergency exception) the gate relies on. */
export interface ChangeSummary {
  /** `pull/<n>` */
  subject: string;
  /** Ledger seq and hash of the `change` entry. */
  seq: number;
  hash: string;
  outcome: Outcome;
  enforced: boolean;
  /** Everyone who wrote the change: the pull request's author and every commit author, co-author and committer. */
  authors: string[];
  /** Their account ids, where the record names them: a login can be renamed, an id cannot. */
  authorIds?: number[];
  emergency: { deadline: IsoTime | null; resolution: 'resolved' | 'resolved_late' | null } | null;
}

export interface DeploymentFacts {
  repository: string;
  environment: string;
  deploymentId: number;
  sha: string;
  ref: string | null;
  /** Who asked for the deployment (the workflow run's actor); null when unknown. */
  deployer: string | null;
  /** The deployer's account id (the delivery's sender), which survives a rename. */
  deployerId?: number | null;
  /** The deployment's creator (often the Actions bot). */
  creator: string | null;
  /** The SHA of the last approved deployment to this environment; null for the first. */
  baseSha: string | null;
  /** `ahead`, `diverged`, `behind` (a rollback), `identical`, or `first`. */
  rangeStatus: 'ahead' | 'diverged' | 'behind' | 'identical' | 'first';
  commits: DeployedCommit[];
  /** Why the range or the associations could not be read completely; null when they were. */
  gap: string | null;
}

export interface CommitJudgement {
  sha: string;
  author: string | null;
  change: string | null;
  ok: boolean;
  /** Why it may or may not be deployed, in words. */
  why: string;
}

export interface DeploymentDecision {
  state: 'approved' | 'rejected';
  /** Whether the policy gates this environment. */
  gated: boolean;
  /** One sentence: what was decided and why. */
  summary: string;
  commits: CommitJudgement[];
  offending: CommitJudgement[];
  /** The change subjects the deployment carries (`pull/<n>`), for the deployment record. */
  changes: string[];
  evaluatedAt: IsoTime;
}

/**
 * Decides a deployment protection request (SPEC §2.1, deployment gate): every
 * commit between the last approved deployment and the requested SHA must
 * belong to a compliant change record, or to an emergency change within its
 * deadline (or approved retrospectively). Evidence that could not be read is
 * a rejection with the reason — never an approval of what was not checked.
 * An environment the policy does not list is approved, saying so.
 *
 * @example decideDeployment(policy, facts, new Date()).state // 'approved' | 'rejected'
 */
export function decideDeployment(policy: Policy, facts: DeploymentFacts, now: Date): DeploymentDecision {
  const evaluatedAt = now.toISOString();
  const gated = policy.deployments.environments.some((e) => e.toLowerCase() === facts.environment.toLowerCase());
  if (!gated) {
    return { state: 'approved', gated, summary: `Environment ${facts.environment} is not gated by the Changeproof policy (deployments.environments: ${listOf(policy.deployments.environments) || 'none'}).`, commits: [], offending: [], changes: [], evaluatedAt };
  }
  if (facts.gap) {
    return { state: 'rejected', gated, summary: `Could not establish what ${shortSha(facts.sha)} deploys: ${facts.gap}. Re-run the deployment to check again.`, commits: [], offending: [], changes: [], evaluatedAt };
  }
  const commits = facts.commits.map((c) => judgeCommit(c, now));
  const deployerRule = policy.separation_of_duties.deployer_must_differ_from_authors;
  if (deployerRule) {
    // A bot (a workflow started by another workflow's token, say) deploys on someone's behalf:
    // the person behind it is not known, so the deployment cannot be shown to be someone else's.
    const unknown = !facts.deployer || facts.deployer.endsWith('[bot]');
    for (const judged of commits) {
      if (unknown) {
        if (judged.ok) Object.assign(judged, { ok: false, why: `deployed by ${facts.deployer ? at(facts.deployer) : 'an account GitHub does not name'}, not a person: who deployed cannot be established, so it cannot be shown to differ from the authors (separation_of_duties.deployer_must_differ_from_authors)` });
        continue;
      }
      const change = facts.commits.find((c) => c.sha === judged.sha)?.change;
      const sameAccount = !!facts.deployerId && !!change?.authorIds?.includes(facts.deployerId);
      const wrote = !!facts.deployer && (sameAccount || change?.authors.some((a) => sameLogin(a, facts.deployer)) || sameLogin(judged.author, facts.deployer));
      if (judged.ok && wrote) Object.assign(judged, { ok: false, why: `deployed by ${at(facts.deployer)}, who wrote it (separation_of_duties.deployer_must_differ_from_authors)` });
    }
  }
  const offending = commits.filter((c) => !c.ok);
  const changes = [...new Set(commits.map((c) => c.change).filter((c): c is string => c !== null))];
  const what = rangeWords(facts);
  const summary = offending.length
    ? `Rejected: ${offending.length} of ${plural(commits.length, 'commit')} ${what} fail the change-control policy.`
    : `Approved: ${commits.length ? `${plural(commits.length, 'commit')} ${what}, ${plural(changes.length, 'change')} (${listOf(changes.map((s) => `#${s.slice(5)}`))}), all compliant` : `nothing new ${what}`}.`;
  return { state: offending.length ? 'rejected' : 'approved', gated, summary, commits, offending, changes, evaluatedAt };
}

function judgeCommit(c: DeployedCommit, now: Date): CommitJudgement {
  const base = { sha: c.sha, author: c.author, change: c.change?.subject ?? null };
  if (!c.pullRequest && c.note) return { ...base, ok: false, why: `no change record: ${c.note}` };
  if (!c.pullRequest) return { ...base, ok: false, why: "no change record: no merged pull request's merge commit on the deployed history contains it (pushed directly, or an intermediate commit of a pull request)" };
  if (!c.change) return { ...base, ok: false, why: `pull request #${c.pullRequest.number} has no change record` };
  const change = c.change;
  if (!change.enforced) return { ...base, ok: true, why: `#${c.pullRequest.number}: recorded, not enforced by policy` };
  if (change.outcome === 'compliant') return { ...base, ok: true, why: `#${c.pullRequest.number}: compliant` };
  if (change.outcome === 'emergency' && change.emergency) {
    const { deadline, resolution } = change.emergency;
    if (resolution) return { ...base, ok: true, why: `#${c.pullRequest.number}: emergency change approved retrospectively${resolution === 'resolved_late' ? ' (late)' : ''}` };
    if (deadline && now.getTime() <= Date.parse(deadline)) return { ...base, ok: true, why: `#${c.pullRequest.number}: emergency change within its deadline (${deadline})` };
    return { ...base, ok: false, why: `#${c.pullRequest.number}: emergency change past its deadline (${deadline ?? 'unknown'}) without a retrospective approval` };
  }
  return { ...base, ok: false, why: `#${c.pullRequest.number}: merged ${change.outcome === 'non_compliant' ? 'non-compliant' : `while ${change.outcome}`}` };
}

function rangeWords(facts: DeploymentFacts): string {
  switch (facts.rangeStatus) {
    case 'first':
      return `(first deployment to ${facts.environment}: the change that produced ${shortSha(facts.sha)})`;
    case 'behind':
      return `(a rollback to ${shortSha(facts.sha)}, an ancestor of the last approved deployment ${shortSha(facts.baseSha)}: the deployed commit itself is judged)`;
    default:
      return `since the last approved deployment (${shortSha(facts.baseSha)}..${shortSha(facts.sha)})`;
  }
}

/** GitHub shows at most 1,024 characters of a deployment protection comment. */
const MAX_COMMENT = 1024;

/**
 * The comment posted with the answer: the decision, every offending commit
 * (SHA, author, why) as far as GitHub's 1,024 characters allow, and where the
 * full list is (the ledger entry).
 */
export function renderDeploymentComment(decision: DeploymentDecision, ledgerRef: string): string {
  const head = `${decision.state === 'approved' ? '✅' : '❌'} Changeproof: ${decision.summary}`;
  const tail = `\nFull evidence: ${ledgerRef}.`;
  const lines: string[] = [];
  let length = head.length + tail.length;
  for (const [i, c] of decision.offending.entries()) {
    const line = `\n- ${shortSha(c.sha)} by ${c.author ? at(c.author) : 'an unknown author'}: ${c.why}`;
    const more = `\n- … and ${decision.offending.length - i} more`;
    if (length + line.length + more.length > MAX_COMMENT) {
      lines.push(more);
      break;
    }
    lines.push(line);
    length += line.length;
  }
  const text = head + lines.join('') + tail;
  return text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - 1)}…`;
}
