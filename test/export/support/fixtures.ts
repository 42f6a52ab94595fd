import { createHash } from 'node:crypto';
import { defaultPolicy } from '../../../src/config/parse-policy.js';
import type { ChangeFacts } from '../../../src/core/facts.js';
import type {
  ChangeRecord,
  DeploymentDecisionRecord,
  DeploymentRecord,
  EvaluationRecord,
  ExceptionRecord,
  ExceptionResolvedRecord,
  PolicyRecord,
  PushRecord,
  Trigger,
} from '../../../src/core/records.js';
import { decideDeployment, type DeploymentFacts } from '../../../src/core/policy/deployment-range.js';
import { evaluate } from '../../../src/core/policy/evaluate.js';
import type { Verdict } from '../../../src/core/policy/verdict.js';
import type {
  AttributeName,
  AttributeValue,
  CompletenessSummary,
  EvidenceInput,
  ExceptionRow,
  LedgerRef,
  MonthSummary,
  PopulationItem,
  ReportInput,
} from '../../../src/export/model.js';
import { canonicalWithValue } from '../../../src/ledger/canonical.js';
import { entryHash, GENESIS_HASH } from '../../../src/ledger/hash.js';
import type { EntryKind, LedgerEntry } from '../../../src/ledger/ledger.js';
import { periodFromDates } from '../../../src/sampling/period.js';
import { selectSample } from '../../../src/sampling/select-sample.js';
import { check, commit, merged, OLD, person, pullRequest, review, sha } from '../../core/facts-builder.js';

/**
 * Realistic inputs for the export's renderers: real verdicts from
 * `evaluate()` and the deployment gate, wrapped in ledger entries hashed
 * exactly as the ledger hashes them, and the population rows built from them.
 */

export const REPO = 'acme/api';
export const PERIOD = periodFromDates('2026-01-01', '2026-03-31', 'UTC', '2026-Q1');
export const GENERATED_AT = '2026-04-02T08:30:00.000Z';
export const TOOL_VERSION = '0.1.0';

/** A deterministic 64-hex string for a label. */
export const hex64 = (label: string): string => createHash('sha256').update(label).digest('hex');

export function trigger(event: string, action: string | null, deliveryId: string, sender: string | null = 'alice'): Trigger {
  return { event, action, deliveryId, sender };
}

/** A hash chain of ledger entries: seq, recorded_at and hashes assigned as the ledger does. */
export class EntryChain {
  readonly entries: LedgerEntry[] = [];
  private clock: number;
  private nextSeq: number;
  private head: string;

  constructor(options: { start?: string; firstSeq?: number } = {}) {
    this.clock = Date.parse(options.start ?? '2026-01-05T09:00:00.000Z');
    this.nextSeq = options.firstSeq ?? 1;
    this.head = this.nextSeq === 1 ? GENESIS_HASH : hex64(`entry-${this.nextSeq - 1}`);
  }

  /** Appends an entry recorded at `recordedAt` (or one second after the previous one). */
  append(kind: EntryKind, repo: string | null, subject: string, data: unknown, recordedAt?: string): LedgerEntry {
    this.clock = recordedAt ? Math.max(this.clock, Date.parse(recordedAt)) : this.clock + 1000;
    const header = { kind, prev_hash: this.head, recorded_at: new Date(this.clock).toISOString(), repo, seq: this.nextSeq++, subject };
    const { text, value } = canonicalWithValue({ data, ...header });
    const entry = { ...(value as Omit<LedgerEntry, 'hash'>), hash: entryHash(this.head, text) };
    this.head = entry.hash;
    this.entries.push(entry);
    return entry;
  }
}

export const refOf = (e: LedgerEntry): LedgerRef => ({ seq: e.seq, hash: e.hash, kind: e.kind, recordedAt: e.recorded_at });

export const POLICY_RECORD: PolicyRecord = {
  valid: true,
  settings: defaultPolicy(),
  files: [{ repository: 'acme/.github', path: '.github/changeproof.yml', blobSha: sha('policy-blob'), ref: 'main', commitSha: sha('policy-commit') }],
};

/** Every attribute passing, with some overridden. */
export function attributes(overrides: Partial<Record<AttributeName, AttributeValue>> = {}): Record<AttributeName, AttributeValue> {
  return {
    peer_review: { result: 'pass', detail: '1 of 1 approval on head (@carol)' },
    separation_of_duties: { result: 'pass', detail: 'approver wrote no part of the change' },
    tests: { result: 'pass', detail: '2 checks passing on head' },
    traceability: { result: 'not_applicable', detail: 'no ticket required' },
    deployment: { result: 'pass', detail: 'deployed to production by approved deployment 7' },
    ...overrides,
  };
}

/**
 * The facts of pull request #42: two commits (the head one co-authored by
 * erin), bob's approval of the older commit (does not count), carol's
 * approval of the head (counts), dave's comment, a check run and a commit status.
 */
export function changeFacts(overrides: Partial<ChangeFacts> = {}): ChangeFacts {
  return pullRequest({
    title: 'Add rate limiting (PROJ-123)',
    labels: ['backend'],
    commits: [commit('old'), { ...commit('head', { coAuthors: [person('erin')] }), url: 'https://github.com/acme/api/commit/head' }],
    reviews: [
      review('bob', 'APPROVED', { on: OLD, at: '2026-03-09T15:00:00Z' }),
      review('carol', 'APPROVED', { at: '2026-03-10T10:00:00Z' }),
      review('dave', 'COMMENTED', { at: '2026-03-10T10:02:00Z' }),
    ],
    checks: [check('ci', 'success', { id: 1001 }), check('coverage', 'success', { source: 'status', at: '2026-03-10T09:31:00Z' })],
    ...overrides,
  });
}

export interface ChangeScenario {
  input: EvidenceInput;
  item: PopulationItem;
  verdict: Verdict;
  change: LedgerEntry;
}

/**
 * A merged pull request as the app records it: an `evaluation` while open and
 * the `change` record at merge; an emergency change (`emergency: true`, no
 * review) also gets its `exception` and a late `exception_resolved`.
 */
export function changeScenario(options: { facts?: ChangeFacts; emergency?: boolean; chain?: EntryChain; deployments?: LedgerEntry[] } = {}): ChangeScenario {
  const chain = options.chain ?? new EntryChain({ start: '2026-03-09T08:00:00.000Z', firstSeq: 100 });
  const base = options.facts ?? (options.emergency ? changeFacts({ number: 43, url: 'https://github.com/acme/api/pull/43', labels: ['emergency'], reviews: [] }) : changeFacts());
  const subject = `pull/${base.number}`;
  const policy = defaultPolicy();
  const open = evaluate(policy, base, new Date('2026-03-10T10:30:00Z'));
  const evaluation: EvaluationRecord = { trigger: trigger('pull_request_review', 'submitted', 'd-1', 'carol'), verdict: open, facts: base, policy: POLICY_RECORD };
  chain.append('evaluation', REPO, subject, evaluation, '2026-03-10T10:30:01.000Z');
  const facts = merged(base, { by: 'dave', at: '2026-03-10T11:00:00Z' });
  const verdict = evaluate(policy, facts, new Date('2026-03-10T11:00:05Z'));
  const record: ChangeRecord = {
    ...evaluation,
    trigger: trigger('pull_request', 'closed', 'd-2', 'dave'),
    verdict,
    facts,
    mergedAt: facts.merge!.mergedAt,
    mergedBy: 'dave',
    mergeCommitSha: facts.merge!.mergeCommitSha,
    exception: verdict.outcome !== 'compliant',
  };
  const change = chain.append('change', REPO, subject, record, '2026-03-10T11:00:06.000Z');
  const exceptions: ExceptionRow[] = [];
  if (options.emergency) exceptions.push(emergencyException(chain, subject, facts));
  const id = `${REPO}#${facts.number}`;
  const item: PopulationItem = {
    id,
    repo: REPO,
    kind: 'change',
    title: facts.title,
    url: facts.url,
    author: 'alice',
    approvals: [
      { login: 'bob', submittedAt: '2026-03-09T15:00:00Z', commitSha: OLD, counted: false },
      { login: 'carol', submittedAt: '2026-03-10T10:00:00Z', commitSha: facts.headSha, counted: true },
    ].slice(0, facts.reviews.length ? 2 : 0),
    mergedBy: 'dave',
    occurredAt: facts.merge!.mergedAt,
    month: '2026-03',
    headSha: facts.headSha,
    mergeSha: facts.merge!.mergeCommitSha,
    checks: facts.checks.map((c) => ({ name: c.name, conclusion: c.conclusion ?? c.status, at: c.at })),
    ticket: 'PROJ-123',
    verdict: verdict.outcome,
    enforced: verdict.enforced,
    attributes: attributes(options.emergency ? { peer_review: { result: 'fail', detail: '0 of 1 approval at merge (emergency change)' } } : {}),
    exceptions,
    deployments: [],
    ledger: refOf(change),
    subject,
  };
  const entries = chain.entries.filter((e) => e.subject === subject);
  return { input: evidenceInput(item, entries, options.deployments ?? []), item, verdict, change };
}

function emergencyException(chain: EntryChain, subject: string, facts: ChangeFacts): ExceptionRow {
  const deadline = '2026-03-12T11:00:00Z';
  const exception: ExceptionRecord = {
    type: 'emergency_change',
    subject,
    reason: `Merged by @dave at ${facts.merge!.mergedAt} with the emergency label and 0 of 1 approval`,
    outcome: 'emergency',
    occurredAt: facts.merge!.mergedAt,
    deadline,
    url: facts.url,
    actor: 'dave',
    trigger: trigger('pull_request', 'closed', 'd-2', 'dave'),
  };
  const opened = chain.append('exception', REPO, subject, exception, '2026-03-10T11:00:06.500Z');
  const resolved: ExceptionResolvedRecord = {
    subject,
    exceptionSeq: opened.seq,
    exceptionHash: opened.hash,
    resolution: 'resolved_late',
    approval: { login: 'carol', submittedAt: '2026-03-13T09:00:00Z', commitSha: facts.headSha, url: `${facts.url}#pullrequestreview-9` },
    deadline,
    explanation: '@carol approved retrospectively at 2026-03-13T09:00:00Z, after the deadline 2026-03-12T11:00:00Z',
    trigger: trigger('pull_request_review', 'submitted', 'd-3', 'carol'),
  };
  const closing = chain.append('exception_resolved', REPO, subject, resolved, '2026-03-13T09:00:02.000Z');
  return {
    itemId: `${REPO}#${facts.number}`,
    repo: REPO,
    type: 'emergency_change',
    occurredAt: exception.occurredAt,
    actor: 'dave',
    reason: exception.reason,
    deadline,
    status: 'resolved_late',
    resolvedAt: '2026-03-13T09:00:00Z',
    resolvedBy: 'carol',
    resolution: resolved.explanation,
    url: facts.url,
    ledger: refOf(opened),
    resolutionLedger: refOf(closing),
  };
}

/** Deployment 7 of the change's merge commit to production, as the gate and the deployment events record it. */
export function deploymentScenario(change: ChangeScenario, chain = new EntryChain({ start: '2026-03-10T12:00:00.000Z', firstSeq: 200 })): { input: EvidenceInput; item: PopulationItem; entries: LedgerEntry[] } {
  const subject = 'deployment/7';
  const deploySha = change.item.mergeSha!;
  const facts: DeploymentFacts = {
    repository: REPO,
    environment: 'production',
    deploymentId: 7,
    sha: deploySha,
    ref: 'main',
    deployer: 'erin',
    creator: 'github-actions[bot]',
    baseSha: sha('previous-deployment'),
    rangeStatus: 'ahead',
    commits: [
      {
        sha: deploySha,
        author: 'alice',
        pullRequest: { number: Number(change.item.subject.slice('pull/'.length)), url: change.item.url },
        change: { subject: change.item.subject, seq: change.change.seq, hash: change.change.hash, outcome: change.verdict.outcome, enforced: true, authors: ['alice', 'erin'], emergency: null },
      },
    ],
    gap: null,
  };
  const decision = decideDeployment(defaultPolicy(), facts, new Date('2026-03-10T12:05:00Z'));
  const deployment = (state: string | null, at: string, decided: LedgerEntry | null): DeploymentRecord => ({
    deploymentId: 7,
    environment: 'production',
    sha: deploySha,
    ref: 'main',
    creator: 'github-actions[bot]',
    createdAt: '2026-03-10T12:04:00Z',
    state,
    at,
    gated: true,
    decision: decided ? { seq: decided.seq, hash: decided.hash, state: decision.state, decidedAt: decision.evaluatedAt } : null,
    changes: decision.changes,
    trigger: trigger('deployment_status', 'created', `d-deploy-${state}`, 'github-actions[bot]'),
  });
  chain.append('deployment', REPO, subject, deployment(null, '2026-03-10T12:04:00Z', null), '2026-03-10T12:04:01.000Z');
  const decisionRecord: DeploymentDecisionRecord = { facts, decision, policy: POLICY_RECORD, runId: 991, callbackUrl: 'https://api.github.com/repos/acme/api/actions/runs/991/deployment_protection_rule', trigger: trigger('deployment_protection_rule', 'requested', 'd-gate', 'erin') };
  const decided = chain.append('deployment_decision', REPO, subject, decisionRecord, '2026-03-10T12:05:01.000Z');
  chain.append('deployment', REPO, subject, deployment('success', '2026-03-10T12:09:00Z', decided), '2026-03-10T12:09:01.000Z');
  const entries = chain.entries.filter((e) => e.subject === subject);
  const item: PopulationItem = {
    id: `${REPO}/deployments/7`,
    repo: REPO,
    kind: 'deployment',
    title: `Deployment 7 of ${deploySha.slice(0, 7)} to production`,
    url: null,
    author: 'erin',
    approvals: [],
    mergedBy: 'erin',
    occurredAt: '2026-03-10T12:04:00Z',
    month: '2026-03',
    headSha: null,
    mergeSha: deploySha,
    checks: [],
    ticket: null,
    verdict: decision.state,
    enforced: true,
    attributes: attributes({ peer_review: { result: 'not_applicable', detail: 'judged on the changes deployed' } }),
    exceptions: [],
    deployments: [],
    ledger: refOf(entries[0]!),
    subject,
  };
  change.item.deployments.push({ itemId: item.id, environment: 'production', deploymentId: 7, sha: deploySha, decision: decision.state, at: item.occurredAt });
  change.input.deploymentEntries.push(...entries);
  return { input: evidenceInput(item, entries, []), item, entries };
}

/** A force-push of two commits to main, one of them introduced by no merged pull request. */
export function pushScenario(chain = new EntryChain({ start: '2026-02-03T16:00:00.000Z', firstSeq: 50 })): { input: EvidenceInput; item: PopulationItem } {
  const after = sha('pushed-after');
  const subject = `push/${after}`;
  const push: PushRecord = {
    ref: 'refs/heads/main',
    before: sha('pushed-before'),
    after,
    forced: true,
    created: false,
    deleted: false,
    pusher: { name: 'Mallory', email: 'mallory@example.com' },
    sender: 'mallory',
    receivedAt: '2026-02-03T16:20:00.000Z',
    commits: [
      { sha: sha('reviewed-commit'), author: 'alice', headline: 'Fix typo', introducedBy: { number: 40, url: 'https://github.com/acme/api/pull/40', mergedAt: '2026-02-02T10:00:00Z' } },
      { sha: after, author: 'mallory', headline: 'Hotfix config', introducedBy: null },
    ],
    unreviewed: [after],
    gap: null,
    trigger: trigger('push', null, 'd-push', 'mallory'),
  };
  const pushed = chain.append('push', REPO, subject, push, '2026-02-03T16:20:00.500Z');
  const exception: ExceptionRecord = {
    type: 'direct_push',
    subject,
    reason: `@mallory pushed 1 commit to main that no merged pull request introduced: ${after}`,
    outcome: null,
    occurredAt: push.receivedAt,
    deadline: null,
    url: `https://github.com/acme/api/compare/${push.before}...${after}`,
    actor: 'mallory',
    trigger: push.trigger,
  };
  const opened = chain.append('exception', REPO, subject, exception, '2026-02-03T16:20:00.600Z');
  const row: ExceptionRow = { itemId: `${REPO}@${after}`, repo: REPO, type: 'direct_push', occurredAt: exception.occurredAt, actor: 'mallory', reason: exception.reason, deadline: null, status: 'open', resolvedAt: null, resolvedBy: null, resolution: null, url: exception.url, ledger: refOf(opened), resolutionLedger: null };
  const item: PopulationItem = {
    id: row.itemId,
    repo: REPO,
    kind: 'direct_push',
    title: 'Direct push to refs/heads/main',
    url: exception.url,
    author: 'mallory',
    approvals: [],
    mergedBy: 'mallory',
    occurredAt: push.receivedAt,
    month: '2026-02',
    headSha: null,
    mergeSha: after,
    checks: [],
    ticket: null,
    verdict: 'direct_push',
    enforced: true,
    attributes: attributes({ peer_review: { result: 'fail', detail: `${after} reached main without a pull request` }, separation_of_duties: { result: 'not_applicable', detail: 'no approval to separate from the author' }, tests: { result: 'not_evaluated', detail: 'no checks recorded for a push' }, deployment: { result: 'not_applicable', detail: 'not deployed through a gated environment' } }),
    exceptions: [row],
    deployments: [],
    ledger: refOf(pushed),
    subject,
  };
  return { input: evidenceInput(item, [pushed, opened], []), item };
}

export function evidenceInput(item: PopulationItem, entries: LedgerEntry[], deploymentEntries: LedgerEntry[]): EvidenceInput {
  return { item, entries, deploymentEntries, generatedAt: GENERATED_AT, period: PERIOD, toolVersion: TOOL_VERSION };
}

/** `count` consecutive months from January 2025, every third one without items. */
export function months(count: number): MonthSummary[] {
  return Array.from({ length: count }, (_, i) => {
    const month = `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    const total = i % 3 === 1 ? 0 : 3 + ((i * 7) % 11);
    return { month, total, compliant: Math.max(0, total - (i % 4)), exceptions: i % 4 };
  });
}

/** A report over the scenarios above: a compliant change, an emergency change, a direct push and a deployment. */
export function reportInput(overrides: { months?: MonthSummary[]; completeness?: CompletenessSummary | null } = {}): ReportInput {
  const compliant = changeScenario();
  const emergency = changeScenario({ emergency: true });
  const push = pushScenario();
  const deployment = deploymentScenario(compliant);
  const population = [compliant.item, emergency.item, push.item, deployment.item];
  const selection = selectSample(population, 3, 'seed-2026-Q1', 'month');
  const sampleItems = population.filter((p) => selection.ids.includes(p.id));
  const exceptions = population.flatMap((p) => p.exceptions);
  return {
    period: PERIOD,
    generatedAt: GENERATED_AT,
    toolVersion: TOOL_VERSION,
    repositories: [REPO],
    counts: { population: 4, changes: 2, directPushes: 1, deployments: 1, compliant: 2, exceptions: exceptions.length, openExceptions: 1 },
    months: overrides.months ?? [
      { month: '2026-01', total: 0, compliant: 0, exceptions: 0 },
      { month: '2026-02', total: 1, compliant: 0, exceptions: 1 },
      { month: '2026-03', total: 3, compliant: 2, exceptions: 1 },
    ],
    exceptions,
    sample: { selection, derivation: 'auto: 4 items in 90 days, about 16 a year (monthly or more often) → 3', size: selection.ids.length, allocation: selection.allocation, populationHash: hex64('population') },
    sampleItems,
    ledger: {
      source: '/var/lib/changeproof/ledger.sqlite',
      headSize: 250,
      headHash: hex64('head'),
      checkpoint: { seq: 249, size: 248, hash: hex64('checkpoint'), time: '2026-04-01T00:00:00.000Z', keyId: `sha256:${hex64('key')}` },
      keyId: `sha256:${hex64('key')}`,
      verifiedEntries: 250,
    },
    completeness: overrides.completeness === undefined ? null : overrides.completeness,
    parameters: { period: '2026-Q1', 'time-zone': 'UTC', seed: 'seed-2026-Q1', 'sample-size': 'auto', strata: 'month', repo: REPO },
    categories: { changesCompliant: 1, changesNotCompliant: 1, directPushes: 1, deploymentsApproved: 1, deploymentsRejected: 0, deploymentsUngated: 0 },
    designs: [
      {
        repository: REPO, from: '2025-12-20T10:00:00.000Z', until: '2026-02-15T09:30:00.000Z', sources: [], valid: true,
        settings: [['peer_review.required_approvals', '1'], ['separation_of_duties.author_can_approve', 'false']],
        problems: [], ledger: { seq: 3, hash: hex64('policy-1'), kind: 'policy', recordedAt: '2025-12-20T10:00:00.000Z' },
      },
      {
        repository: REPO, from: '2026-02-15T09:30:00.000Z', until: null, sources: [`${REPO}:.github/changeproof.yml@${hex64('blob').slice(0, 12)}`], valid: true,
        settings: [['peer_review.required_approvals', '2'], ['separation_of_duties.author_can_approve', 'false']],
        problems: [], ledger: { seq: 120, hash: hex64('policy-2'), kind: 'policy', recordedAt: '2026-02-15T09:30:00.000Z' },
      },
    ],
  };
}
