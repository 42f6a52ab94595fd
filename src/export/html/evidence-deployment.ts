import type { DeploymentDecisionRecord, DeploymentRecord } from '../../core/records.js';
import type { LedgerEntry } from '../../ledger/ledger.js';
import { ledgerRef, ofKind } from './evidence-ledger.js';
import { policyFields } from './evidence-policy.js';
import { login, sampledLink, yesNo } from './evidence-words.js';
import { fields, hash, NOT_RECORDED, section, show, table, time, verdictLabel } from './page.js';
import { list, view } from './loose.js';

/**
 * The sections of a deployment to a gated environment: the deployment, the
 * gate's last decision, each commit deployed and its judgement, and the
 * status history.
 *
 * @example [...deploymentSections(input.entries, input.sampledIds), exceptionsSection(input.item.exceptions)]
 */
export function deploymentSections(entries: readonly LedgerEntry[], sampledIds?: ReadonlySet<string>): string[] {
  const decisionEntry = ofKind(entries, 'deployment_decision').at(-1);
  const record = view<DeploymentDecisionRecord>(decisionEntry?.data);
  const facts = record.facts ?? {};
  const decision = record.decision ?? {};
  const created = view<DeploymentRecord>(ofKind(entries, 'deployment')[0]?.data);
  const deployed = new Map(list(facts.commits).map((c) => [c.sha, c]));
  const rows = list(decision.commits).map((j) => {
    const c = deployed.get(j.sha)?.change;
    const changeId = typeof c?.subject === 'string' && decisionEntry?.repo ? `${decisionEntry.repo}#${c.subject.replace(/^pull\//, '')}` : null;
    const change = c ? `${sampledLink(show(c.subject), changeId, sampledIds)}, ${verdictLabel(c.outcome)}, change record ${ledgerRef(c)}` : show(j.change ?? 'no change record');
    const ok = j.ok === true ? '<span class="pass">✓ may be deployed</span>' : j.ok === false ? '<span class="fail">✗ may not be deployed</span>' : NOT_RECORDED;
    return [hash(j.sha), login(j.author), change, ok, show(j.why)];
  });
  const deployment = fields([
    ['Repository', show(facts.repository)],
    ['Environment', show(facts.environment ?? created.environment)],
    ['Deployment id', show(facts.deploymentId ?? created.deploymentId)],
    ['SHA deployed', hash(facts.sha ?? created.sha)],
    ['Ref', show(facts.ref ?? created.ref)],
    ['Deployer (workflow run actor)', login(facts.deployer)],
    ['Creator', login(facts.creator ?? created.creator)],
    ['Created at (UTC)', time(created.createdAt)],
    ['Gated by the policy', yesNo(decision.gated ?? created.gated, 'yes', 'no')],
  ]);
  const gate = decisionEntry
    ? fields([
        ['Decision', verdictLabel(decision.state)],
        ['Summary', show(decision.summary)],
        ['Decided at (UTC)', time(decision.evaluatedAt)],
        ['Workflow run', show(record.runId)],
        ['Ledger entry', ledgerRef(decisionEntry)],
      ]) + `<h3>Policy applied</h3>${policyFields(record.policy)}`
    : '<p>No decision recorded: the gate was not asked for this deployment.</p>';
  const base = facts.baseSha ? hash(facts.baseSha) : facts.baseSha === null ? 'none (first deployment)' : NOT_RECORDED;
  const range = `<p>Range: ${show(facts.rangeStatus)}; last approved deployment: ${base}; gap: ${facts.gap === null ? 'none' : show(facts.gap)}.</p>`;
  return [
    section('deployment', 'Deployment', deployment),
    section('decision', 'Gate decision', gate),
    section('range', 'Commits deployed and their judgement', range + table(['SHA', 'Author', 'Change', 'Judgement', 'Why'], rows, { empty: 'No commits judged.' })),
    section('status', 'Status history', statusTable(entries)),
  ];
}

/** Every `deployment` entry (created, then each status GitHub reported) as a table; also shown on the changes a deployment carried. */
export function statusTable(entries: readonly LedgerEntry[]): string {
  const rows = ofKind(entries, 'deployment').map((e) => {
    const d = view<DeploymentRecord>(e.data);
    const decision = d.decision ? `${verdictLabel(d.decision.state)} at ${time(d.decision.decidedAt)} (entry ${show(d.decision.seq)})` : d.decision === null ? 'none' : NOT_RECORDED;
    return [show(d.deploymentId), show(d.environment), d.state === null ? 'created' : show(d.state), time(d.at), decision, ledgerRef(e)];
  });
  return table(['Deployment id', 'Environment', 'State', 'At (UTC)', 'Gate decision', 'Ledger entry'], rows, { empty: 'No deployment status recorded.' });
}
