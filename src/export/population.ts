import type { CheckFacts } from '../core/facts.js';
import type { ChecksEvidence, ChangeRequestEvidence, PeerReviewEvidence, RuleResult, RuleStatus, Verdict } from '../core/policy/verdict.js';
import type {
  ChangeRecord, DeploymentDecisionRecord, DeploymentRecord, ExceptionRecord, ExceptionResolvedRecord, ExceptionResponseRecord, PushRecord,
} from '../core/records.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import { monthIn } from '../sampling/period.js';
import type {
  Approval, AttributeName, AttributeValue, CategoryCounts, CheckResult, DeploymentLink, ExceptionResponse, ExceptionRow, LedgerRef, PopulationItem,
} from './model.js';

/**
 * Population items from ledger entries (SPEC §4): pure conversions, one per
 * item kind, and the late facts (exception resolutions, deployments) joined
 * onto them. Ids: `owner/name#42`, `owner/name@<sha>`, `owner/name/deployments/<id>`.
 */

export function refOf(entry: LedgerEntry): LedgerRef {
  return { seq: entry.seq, hash: entry.hash, kind: entry.kind, recordedAt: entry.recorded_at };
}

export function changeId(repo: string, subject: string): string {
  return `${repo}#${subject.slice('pull/'.length)}`;
}

export function pushId(repo: string, subject: string): string {
  return `${repo}@${subject.slice('push/'.length)}`;
}

export function deploymentId(repo: string, subject: string): string {
  return `${repo}/deployments/${subject.slice('deployment/'.length)}`;
}

/** The id of the item an entry subject belongs to, or null for subjects that are no item. */
export function itemIdOf(repo: string, subject: string): string | null {
  if (subject.startsWith('pull/')) return changeId(repo, subject);
  if (subject.startsWith('push/')) return pushId(repo, subject);
  if (subject.startsWith('deployment/')) return deploymentId(repo, subject);
  return null;
}

/** The repo and ledger subject of an item id (the inverse of the ids above). */
export function subjectOfItem(id: string): { repo: string; subject: string } {
  const deployment = id.match(/^(.+)\/deployments\/(\d+)$/);
  if (deployment) return { repo: deployment[1]!, subject: `deployment/${deployment[2]}` };
  const pull = id.match(/^(.+)#(\d+)$/);
  if (pull) return { repo: pull[1]!, subject: `pull/${pull[2]}` };
  const at = id.lastIndexOf('@');
  return { repo: id.slice(0, at), subject: `push/${id.slice(at + 1)}` };
}

const NOT_RECORDED: AttributeValue = { result: 'not_evaluated', detail: 'not recorded' };

/** A `change` entry as its population row (exceptions and deployments are joined later). */
export function changeItem(entry: LedgerEntry, timeZone: string): PopulationItem {
  const record = entry.data as unknown as ChangeRecord;
  const verdict = record.verdict;
  const facts = record.facts;
  const repo = entry.repo ?? verdict.subject.repository;
  const rules = new Map<string, RuleResult>(verdict.rules.map((r) => [r.rule, r]));
  const peer = rules.get('peer_review') as RuleResult<PeerReviewEvidence> | undefined;
  const approvals: Approval[] = (peer?.evidence?.reviewers ?? [])
    .filter((r) => r.state === 'APPROVED')
    .map((r) => ({ login: r.login, submittedAt: r.submittedAt, commitSha: r.commitSha, counted: r.counts }));
  const ticketRule = rules.get('change_request') as RuleResult<ChangeRequestEvidence> | undefined;
  return {
    id: changeId(repo, entry.subject),
    repo,
    kind: 'change',
    title: facts?.title ?? `Pull request #${verdict.subject.number}`,
    url: verdict.subject.url ?? facts?.url ?? null,
    author: verdict.subject.author,
    approvals,
    mergedBy: record.mergedBy,
    occurredAt: record.mergedAt,
    month: monthIn(record.mergedAt, timeZone),
    headSha: verdict.subject.headSha || facts?.headSha || null,
    mergeSha: record.mergeCommitSha,
    checks: latestChecks(facts?.checks ?? [], rules.get('checks') as RuleResult<ChecksEvidence> | undefined),
    ticket: ticketRule?.evidence?.match?.text ?? null,
    verdict: verdict.outcome,
    enforced: verdict.enforced,
    attributes: changeAttributes(verdict, rules, policyGates(entry)),
    exceptions: [],
    deployments: [],
    ledger: refOf(entry),
    subject: entry.subject,
  };
}

/** The latest result of each check on the head (re-runs superseded), judged ones first as the rule saw them. */
function latestChecks(checks: CheckFacts[], rule: RuleResult<ChecksEvidence> | undefined): CheckResult[] {
  const latest = new Map<string, CheckFacts>();
  for (const c of checks) {
    const key = `${c.source}:${c.name}`;
    const seen = latest.get(key);
    if (!seen || newer(c, seen)) latest.set(key, c);
  }
  const out = [...latest.values()].map((c) => ({ name: c.name, conclusion: c.conclusion ?? c.status, at: c.at }));
  if (out.length === 0 && rule?.evidence?.considered) {
    return rule.evidence.considered.map((c) => ({ name: c.name, conclusion: c.conclusion ?? c.status, at: c.at }));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function newer(a: CheckFacts, b: CheckFacts): boolean {
  if (a.databaseId !== null && b.databaseId !== null) return a.databaseId > b.databaseId;
  return (a.at ?? '') > (b.at ?? '');
}

const RULE_OF: Record<Exclude<AttributeName, 'deployment'>, string[]> = {
  peer_review: ['peer_review', 'changes_requested'],
  separation_of_duties: ['separation_of_duties'],
  tests: ['checks'],
  traceability: ['change_request'],
};

function changeAttributes(verdict: Verdict, rules: Map<string, RuleResult>, gates: boolean): Record<AttributeName, AttributeValue> {
  const attr = (name: Exclude<AttributeName, 'deployment'>): AttributeValue => {
    const results = RULE_OF[name].map((r) => rules.get(r)).filter((r): r is RuleResult => r !== undefined);
    if (results.length === 0) {
      return verdict.outcome === 'error'
        ? { result: 'not_evaluated', detail: verdict.error ?? 'the evidence could not be established' }
        : NOT_RECORDED;
    }
    const result = combine(results.map((r) => r.status));
    const detail = results.filter((r) => r.status !== 'not_applicable' || results.length === 1).map((r) => r.seen).join(' ');
    return { result, detail };
  };
  return {
    peer_review: attr('peer_review'),
    separation_of_duties: attr('separation_of_duties'),
    tests: attr('tests'),
    traceability: attr('traceability'),
    deployment: deploymentAttribute([], gates),
  };
}

/** Any fail (or a pending left at merge) fails the attribute; all not applicable is not applicable. */
function combine(statuses: RuleStatus[]): AttributeValue['result'] {
  if (statuses.some((s) => s === 'fail' || s === 'pending')) return 'fail';
  if (statuses.every((s) => s === 'not_applicable')) return 'not_applicable';
  return 'pass';
}

/** A `direct_push` exception (and its `push` entry, when recorded) as a population row. */
export function pushItem(exception: LedgerEntry, push: LedgerEntry | null, timeZone: string): PopulationItem {
  const record = exception.data as unknown as ExceptionRecord;
  const pushed = push ? (push.data as unknown as PushRecord) : null;
  const repo = exception.repo ?? '';
  // `push/<after>`, or `push/<after>~2`… for a later push that left the same commit at a branch head.
  const after = pushed?.after ?? exception.subject.slice('push/'.length).replace(/~\d+$/, '');
  const commits = pushed?.commits.length ?? null;
  const unreviewed = pushed?.unreviewed.length ?? null;
  const branch = pushed?.ref.replace(/^refs\/heads\//, '') ?? null;
  const removed = pushed?.removed ?? [];
  const title = pushed?.deleted
    ? `Branch ${branch} deleted (its head ${pushed.before.slice(0, 7)})`
    : pushed
    ? `Direct push to ${branch}: ${commits} ${commits === 1 ? 'commit' : 'commits'}, ${unreviewed} without a merged pull request${removed.length ? `, ${removed.length} removed` : ''}${pushed.forced ? ' (forced)' : ''}`
    : `Direct push ${after}`;
  const fail = (detail: string): AttributeValue => ({ result: 'fail', detail });
  return {
    id: pushId(repo, exception.subject),
    repo,
    kind: 'direct_push',
    title,
    url: record.url,
    author: record.actor ?? pushed?.sender ?? null,
    approvals: [],
    mergedBy: record.actor ?? pushed?.sender ?? null,
    occurredAt: record.occurredAt,
    month: monthIn(record.occurredAt, timeZone),
    headSha: pushed?.before ?? null,
    mergeSha: pushed?.deleted ? null : after,
    checks: [],
    ticket: null,
    verdict: 'direct_push',
    enforced: true,
    attributes: {
      peer_review: fail(
        unreviewed || !removed.length
          ? `${unreviewed ?? 'Some'} ${unreviewed === 1 ? 'commit' : 'commits'} reached ${branch ?? 'the branch'} without a reviewed, merged pull request: ${(pushed?.unreviewed ?? []).join(', ') || record.reason}`
          : `the branch ${branch ?? ''} was rewound without review, removing ${removed.join(', ')}`,
      ),
      separation_of_duties: fail(`pushed by ${record.actor ?? 'an unknown account'} without a second person`),
      tests: { result: 'not_evaluated', detail: 'a direct push is not checked before it lands' },
      traceability: { result: 'not_evaluated', detail: 'a direct push carries no change request' },
      deployment: { result: 'not_applicable', detail: 'see the deployments of the environment' },
    },
    exceptions: [],
    deployments: [],
    ledger: refOf(exception),
    subject: exception.subject,
  };
}

/**
 * A deployment's entries (its `deployment` records in seq order, and the
 * gate's `deployment_decision`, if it was asked) as a population row. Returns
 * null when no entry says the environment is gated.
 */
export function deploymentItem(records: LedgerEntry[], decision: LedgerEntry | null, timeZone: string): PopulationItem | null {
  const first = records[0] ?? decision;
  if (!first) return null;
  const data = records.map((e) => e.data as unknown as DeploymentRecord);
  const decided = decision ? (decision.data as unknown as DeploymentDecisionRecord) : null;
  const gated = data.some((d) => d.gated) || (decided?.decision.gated ?? false);
  if (!gated) return null;
  const created = data.find((d) => d.state === null) ?? data[0];
  const facts = decided?.facts;
  const environment = created?.environment ?? facts?.environment ?? '';
  const sha = created?.sha ?? facts?.sha ?? null;
  const occurredAt = created?.createdAt ?? created?.at ?? decided?.decision.evaluatedAt ?? first.recorded_at;
  const last = [...data].reverse().find((d) => d.state !== null);
  const state = decided?.decision.state ?? null;
  const deployedDespite = state === 'rejected' && data.some((d) => d.state === 'success');
  const repo = first.repo ?? '';
  const deployer = facts?.deployer ?? created?.creator ?? null;
  const changes = decided?.decision.changes ?? created?.changes ?? [];
  let deployment: AttributeValue;
  if (state === 'approved') deployment = { result: 'pass', detail: decided!.decision.summary };
  else if (state === 'rejected') {
    deployment = deployedDespite
      ? { result: 'fail', detail: `rejected by the gate, yet reported successful: ${decided!.decision.summary}` }
      : { result: 'pass', detail: `the gate rejected it and it did not deploy: ${decided!.decision.summary}` };
  } else deployment = { result: 'fail', detail: `deployed to the gated environment ${environment} without asking the gate` };
  const na = (what: string): AttributeValue => ({ result: 'not_applicable', detail: `${what} is judged on the changes it carried: ${changes.join(', ') || 'none'}` });
  return {
    id: deploymentId(repo, first.subject),
    repo,
    kind: 'deployment',
    title: `Deployment of ${sha ?? 'an unknown SHA'} to ${environment}${last ? ` (${last.state})` : ''}`,
    url: null,
    author: deployer,
    approvals: [],
    mergedBy: deployer,
    occurredAt,
    month: monthIn(occurredAt, timeZone),
    headSha: facts?.baseSha ?? null,
    mergeSha: sha,
    checks: [],
    ticket: null,
    verdict: state ?? 'no_decision',
    enforced: true,
    attributes: {
      peer_review: na('Peer review'),
      separation_of_duties: decided?.policy && decided.policy.valid && decided.policy.settings.separation_of_duties.deployer_must_differ_from_authors
        ? { result: state === 'approved' || state === 'rejected' ? 'pass' : 'not_evaluated', detail: `deployer ${deployer ?? 'unknown'} checked against the authors of the range` }
        : na('Separation of duties'),
      tests: na('Testing'),
      traceability: na('Traceability'),
      deployment,
    },
    exceptions: [],
    deployments: [],
    ledger: refOf(decision ?? first),
    subject: first.subject,
  };
}

/** The category an item is counted and charted in: a rejected deployment is its own, never "compliant". */
export function categoryOf(item: PopulationItem): keyof CategoryCounts {
  if (item.kind === 'change') return itemCompliant(item) ? 'changesCompliant' : 'changesNotCompliant';
  if (item.kind === 'direct_push') return 'directPushes';
  if (item.verdict === 'approved' && item.attributes.deployment.result === 'pass') return 'deploymentsApproved';
  if (item.verdict === 'rejected' && item.attributes.deployment.result === 'pass') return 'deploymentsRejected';
  return 'deploymentsUngated';
}

/** Whether an item passed the control, for the compliance rate. */
export function itemCompliant(item: PopulationItem): boolean {
  if (item.kind === 'change') {
    return item.verdict === 'compliant' || (item.verdict === 'emergency' && item.exceptions.every((e) => e.status === 'resolved'));
  }
  if (item.kind === 'deployment') return item.attributes.deployment.result === 'pass';
  return false;
}

/** An `exception` entry, with its resolution if one was recorded and the responses to it, as an exceptions.csv row. */
export function exceptionRow(entry: LedgerEntry, resolution: LedgerEntry | null, asOf: string, responses: readonly LedgerEntry[] = []): ExceptionRow {
  const record = entry.data as unknown as ExceptionRecord;
  const resolved = resolution ? (resolution.data as unknown as ExceptionResolvedRecord) : null;
  const repo = entry.repo ?? '';
  let status: ExceptionRow['status'] = resolved ? resolved.resolution : 'open';
  if (!resolved && record.deadline && record.deadline < asOf) status = 'overdue';
  return {
    itemId: itemIdOf(repo, entry.subject) ?? `${repo}:${entry.subject}`,
    repo,
    type: record.type,
    occurredAt: record.occurredAt,
    actor: record.actor,
    reason: record.reason,
    deadline: record.deadline,
    status,
    resolvedAt: resolved?.approval.submittedAt ?? null,
    resolvedBy: resolved?.approval.login ?? null,
    resolution: resolved?.explanation ?? null,
    url: record.url,
    ledger: refOf(entry),
    resolutionLedger: resolution ? refOf(resolution) : null,
    responses: responses.map(responseOf),
  };
}

/** An `exception_response` entry as shown beside the exception. */
export function responseOf(entry: LedgerEntry): ExceptionResponse {
  const r = entry.data as unknown as ExceptionResponseRecord;
  return {
    by: r.responder,
    role: r.permission?.roleName ?? 'not recorded',
    at: r.respondedAt,
    text: r.text,
    via: r.source?.via === 'api' ? 'api' : 'comment',
    url: r.source?.via === 'comment' ? r.source.url : null,
    ledger: refOf(entry),
  };
}

/** The deployment attribute of a change, from the gated deployments that carried it. */
export function deploymentAttribute(links: DeploymentLink[], gatesEnvironments: boolean): AttributeValue {
  const approved = links.filter((l) => l.decision === 'approved');
  if (approved.length) {
    return { result: 'pass', detail: approved.map((l) => `deployment ${l.deploymentId} to ${l.environment} approved by the gate${l.at ? ` (${l.at})` : ''}`).join('; ') };
  }
  const ungated = links.filter((l) => l.decision === null);
  if (ungated.length) {
    return { result: 'fail', detail: ungated.map((l) => `deployment ${l.deploymentId} to ${l.environment} without the gate's decision`).join('; ') };
  }
  if (links.length) return { result: 'not_applicable', detail: `every deployment carrying it was rejected by the gate (${links.map((l) => l.deploymentId).join(', ')})` };
  return {
    result: 'not_applicable',
    detail: gatesEnvironments ? 'not deployed to a gated environment in the ledger read' : 'the policy at merge gates no environment',
  };
}

/** Whether the policy recorded with a change gates any environment. */
export function policyGates(entry: LedgerEntry): boolean {
  const policy = (entry.data as unknown as ChangeRecord).policy;
  return policy !== null && policy.valid && policy.settings.deployments.environments.length > 0;
}
