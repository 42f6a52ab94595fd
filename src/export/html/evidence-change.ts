import type { ChangeFacts } from '../../core/facts.js';
import type { ChangeRecord, DeploymentDecisionRecord } from '../../core/records.js';
import type { ChecksEvidence, PeerReviewEvidence, SeparationOfDutiesEvidence, Verdict } from '../../core/policy/verdict.js';
import type { LedgerEntry } from '../../ledger/ledger.js';
import type { EvidenceInput } from '../model.js';
import { checksTable } from './evidence-checks.js';
import { commitsTable } from './evidence-commits.js';
import { statusTable } from './evidence-deployment.js';
import { ledgerRef, ofKind } from './evidence-ledger.js';
import { policyFields } from './evidence-policy.js';
import { peopleTable, reviewsTable } from './evidence-reviews.js';
import { historyTable, rulesTable, verdictFields } from './evidence-verdict.js';
import { codes, login, sampledLink, yesNo } from './evidence-words.js';
import { escapeHtml, fields, hash, link, NOT_RECORDED, section, show, table, time, verdictLabel } from './page.js';
import { list, view, type Loose } from './loose.js';

/**
 * The sections of a merged pull request, read from its final evaluation: the
 * change, the verdict and its rule results, reviews, commits, checks, the
 * exceptions, the deployments that carried it and the policy applied.
 *
 * @example changeSections(input, exceptionsSection(input.item.exceptions))
 */
export function changeSections(input: EvidenceInput, exceptions: string): string[] {
  const { item } = input;
  const final = finalEvaluation(input);
  const record = view<ChangeRecord>(final?.data);
  const verdict = view<Verdict>(record.verdict);
  const subject = verdict.subject ?? {};
  const facts = view<ChangeFacts>(record.facts);
  const recorded = record.facts !== null && typeof record.facts === 'object';
  const evidence = <E>(rule: string): Loose<E> => view<{ evidence: E }>(list(verdict.rules).find((r) => r.rule === rule)).evidence as Loose<E>;
  const repository = facts.repository?.owner && facts.repository.name ? `${facts.repository.owner}/${facts.repository.name}` : (subject.repository ?? item.repo);
  const trigger = record.trigger ? `trigger ${show(record.trigger.event)}${record.trigger.action ? `.${show(record.trigger.action)}` : ''} (delivery ${show(record.trigger.deliveryId)})` : '';
  const change = fields([
    ['Repository', show(repository)],
    ['Pull request', link(`#${show(facts.number ?? subject.number)} ${show(facts.title ?? item.title)}`, facts.url ?? subject.url ?? item.url)],
    ['Author', facts.author ? `${login(facts.author.login)} (${show(facts.author.type)})` : login(subject.author ?? item.author)],
    ['Base branch ← head branch', `${show(facts.baseRef ?? subject.baseRef)} ← ${show(facts.headRef)}`],
    ['Base SHA', hash(facts.baseSha)],
    ['Head SHA', hash(facts.headSha ?? subject.headSha ?? item.headSha)],
    ['Merge commit SHA', hash(record.mergeCommitSha ?? subject.mergeCommitSha ?? item.mergeSha)],
    ['Merged at (UTC)', time(record.mergedAt ?? subject.mergedAt)],
    ['Merged by', login(record.mergedBy ?? subject.mergedBy ?? item.mergedBy)],
    ['Opened at (UTC)', time(facts.createdAt)],
    ['Labels', recorded ? codes(list(facts.labels)) || 'none' : NOT_RECORDED],
    ['Ticket', item.ticket ? show(item.ticket) : 'none found'],
    ['Evidence read from GitHub at (UTC)', time(facts.collectedAt)],
    ['Evidence gaps', recorded ? list(facts.gaps).map((g) => `${show(g.what)}: ${show(g.reason)}`).join('; ') || 'none' : NOT_RECORDED],
    ['Exception opened at merge', yesNo(record.exception, 'yes', 'no')],
    ['Recorded by', final ? `${escapeHtml(final.kind)} entry ${ledgerRef(final)}, ${trigger}` : NOT_RECORDED],
  ]);
  const reviews = reviewsTable(facts, recorded, evidence<PeerReviewEvidence>('peer_review')) + peopleTable(evidence<SeparationOfDutiesEvidence>('separation_of_duties'));
  return [
    section('change', 'Change', change),
    section('verdict', 'Final verdict', verdictFields(verdict)),
    section('rules', 'Rule results', rulesTable(verdict) + historyTable(input.entries)),
    section('reviews', 'Reviews', reviews),
    section('commits', 'Commits', commitsTable(facts, recorded)),
    section('checks', 'Checks', checksTable(facts, recorded, evidence<ChecksEvidence>('checks'))),
    exceptions,
    section('deployments', 'Deployments that carried the change', carriedBy(input)),
    section('policy', 'Policy applied', policyFields(record.policy)),
  ];
}

/** The change record the row is built from, else the last change record, else the last evaluation. */
function finalEvaluation({ item, entries }: EvidenceInput): LedgerEntry | undefined {
  const changes = ofKind(entries, 'change');
  return changes.find((e) => e.seq === item.ledger?.seq) ?? changes.at(-1) ?? ofKind(entries, 'evaluation').at(-1);
}

function carriedBy({ item, deploymentEntries, sampledIds }: EvidenceInput): string {
  const links = list(item.deployments).map((d) => [sampledLink(hash(d.itemId), d.itemId, sampledIds), show(d.environment), show(d.deploymentId), hash(d.sha), verdictLabel(d.decision ?? 'no_decision'), time(d.at)]);
  const decisions = ofKind(deploymentEntries, 'deployment_decision').map((e) => {
    const d = view<DeploymentDecisionRecord>(e.data);
    return [show(d.facts?.deploymentId ?? e.subject), show(d.facts?.environment), verdictLabel(d.decision?.state), show(d.decision?.summary), time(d.decision?.evaluatedAt), ledgerRef(e)];
  });
  const statuses = ofKind(deploymentEntries, 'deployment').length ? `<h3>Deployment status history</h3>${statusTable(deploymentEntries)}` : '';
  return (
    table(['Deployment', 'Environment', 'Deployment id', 'SHA', 'Gate decision', 'At (UTC)'], links, { empty: 'No gated deployment carried this change in the ledger read.' }) +
    (decisions.length ? `<h3>Gate decisions</h3>${table(['Deployment id', 'Environment', 'Decision', 'Summary', 'Decided at (UTC)', 'Ledger entry'], decisions)}` : '') +
    statuses
  );
}
