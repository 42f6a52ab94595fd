import { POINTS_OF_FOCUS } from '../../core/cc81.js';
import type { ChangeFacts, CommitPerson, ReviewFacts } from '../../core/facts.js';
import type { ChangeRecord, DeploymentDecisionRecord, DeploymentRecord, EvaluationRecord, PolicyRecord, PushRecord } from '../../core/records.js';
import type { ChecksEvidence, PeerReviewEvidence, ReviewerStanding, RuleStatus, SeparationOfDutiesEvidence, Verdict } from '../../core/policy/verdict.js';
import type { PolicyProblem } from '../../config/parse-policy.js';
import type { LedgerEntry } from '../../ledger/ledger.js';
import { ATTRIBUTE_TITLES, ATTRIBUTES, type EvidenceInput, type ExceptionRow } from '../model.js';
import { attributeMark, escapeHtml, exceptionStatus, fields, hash, jsonDetails, link, NOT_RECORDED, page, section, show, table, time, verdictLabel } from './page.js';

/**
 * Recorded data as read back from the ledger: any field may be missing or
 * null (a record written before a field existed, an error verdict without
 * facts), so the page reads every field through this view and never throws.
 */
type Loose<T> = T extends string | number | boolean
  ? T | null | undefined
  : T extends readonly (infer U)[]
    ? readonly Loose<U>[] | null | undefined
    : T extends object
      ? { readonly [K in keyof T]?: Loose<T[K]> } | null | undefined
      : T | null | undefined;

type View<T> = NonNullable<Loose<T>>;

/** The recorded value as a loose `T`; an empty record when it is not an object. */
function view<T>(value: unknown): View<T> {
  return (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as View<T>;
}

/** The recorded array without its null elements; empty when it is not an array. */
function list<T>(value: readonly T[] | null | undefined): NonNullable<T>[] {
  return Array.isArray(value) ? value.filter((v): v is NonNullable<T> => v !== null && v !== undefined) : [];
}

const ofKind = (entries: readonly LedgerEntry[], kind: string) => entries.filter((e) => e.kind === kind);
const login = (name: unknown) => (typeof name === 'string' && name ? `@${escapeHtml(name)}` : show(name));
const yesNo = (value: unknown, yes: string, no: string) => (value === true ? yes : value === false ? no : NOT_RECORDED);
const codes = (items: readonly unknown[]) => items.map((i) => `<code>${show(i)}</code>`).join(', ');
const NO_SNAPSHOT = 'Not recorded: the evaluation holds no evidence snapshot.';

/**
 * The evidence page of one sampled item (SPEC §5, `evidence/<id>.html`): the
 * change, push or deployment with every review, commit, check and deployment,
 * the rule results, the exceptions, and every ledger entry with its hashes.
 * Times are shown exactly as recorded (ISO-8601 UTC), SHAs and hashes in full.
 *
 * @example writeFile(join(dir, evidencePath(item.id)), renderEvidencePage({ item, entries, deploymentEntries, … }))
 */
export function renderEvidencePage(input: EvidenceInput): string {
  const body = [header(input), summarySection(input), ...kindSections(input), ledgerSection(input), footer(input)];
  return page({ title: `Evidence — ${input.item.id}`, body: body.join('\n') });
}

const KIND_WORDS: Record<string, string> = { change: 'Merged pull request', direct_push: 'Direct push', deployment: 'Deployment to a gated environment' };

const KIND_ANCHORS: Record<string, [id: string, title: string][]> = {
  change: [['change', 'Change'], ['verdict', 'Verdict'], ['rules', 'Rules'], ['reviews', 'Reviews'], ['commits', 'Commits'], ['checks', 'Checks'], ['exceptions', 'Exceptions'], ['deployments', 'Deployments'], ['policy', 'Policy']],
  direct_push: [['push', 'Push'], ['push-commits', 'Commits'], ['exceptions', 'Exceptions']],
  deployment: [['deployment', 'Deployment'], ['decision', 'Decision'], ['range', 'Commits deployed'], ['status', 'Status history'], ['exceptions', 'Exceptions']],
};

function header({ item, period, generatedAt, toolVersion }: EvidenceInput): string {
  const anchors = [['summary', 'Summary'], ...(KIND_ANCHORS[item.kind] ?? [['item', 'Item'], ['exceptions', 'Exceptions']]), ['ledger', 'Ledger entries']];
  return `<header class="doc">
<h1>Evidence — ${escapeHtml(item.id)}</h1>
<p class="meta">Observation period ${show(period.label)}: ${show(period.from)} to ${show(period.to)} inclusive (${show(period.timeZone)}), from ${time(period.start)} to ${time(period.end)} (exclusive).</p>
<p class="meta">Generated at ${time(generatedAt)} by Changeproof ${show(toolVersion)}. SOC 2 CC8.1 change-management evidence.</p>
<nav class="toc">${anchors.map(([id, title]) => `<a href="#${id}">${title}</a>`).join(' ')}</nav>
</header>`;
}

function summarySection({ item }: EvidenceInput): string {
  const attributes = ATTRIBUTES.map((a) => [escapeHtml(ATTRIBUTE_TITLES[a]), attributeMark(item.attributes?.[a]?.result), show(item.attributes?.[a]?.detail)]);
  return section(
    'summary',
    'Summary',
    fields([
      ['Item', hash(item.id)],
      ['Kind', show(KIND_WORDS[item.kind] ?? item.kind)],
      ['Repository', show(item.repo)],
      ['Title', link(show(item.title), item.url)],
      ['Author', login(item.author)],
      ['Occurred at (UTC)', time(item.occurredAt)],
      ['Month', show(item.month)],
      ['Verdict', verdictLabel(item.verdict)],
      ['Enforced', yesNo(item.enforced, 'yes', 'no: recorded, not enforced by policy')],
      ['Population row built from', ledgerRef(item.ledger)],
    ]) + table(['Control attribute', 'Result', 'What was required and seen'], attributes),
  );
}

function kindSections(input: EvidenceInput): string[] {
  const exceptions = exceptionsSection(input.item.exceptions);
  switch (input.item.kind) {
    case 'change':
      return changeSections(input, exceptions);
    case 'direct_push':
      return [...pushSections(input), exceptions];
    case 'deployment':
      return [...deploymentSections(input.entries), exceptions];
    default: {
      const note = `<p>No detailed view for items of kind <code>${show(input.item.kind)}</code>; the ledger entries below are the evidence.</p>`;
      return [section('item', 'Item', note), exceptions];
    }
  }
}

// ---- Changes (merged pull requests) ----

function changeSections(input: EvidenceInput, exceptions: string): string[] {
  const { item } = input;
  const final = finalEvaluation(input);
  const record = view<ChangeRecord>(final?.data);
  const verdict = view<Verdict>(record.verdict);
  const subject = verdict.subject ?? {};
  const facts = view<ChangeFacts>(record.facts);
  const recorded = record.facts !== null && typeof record.facts === 'object';
  const evidence = <E>(rule: string): Loose<E> => view<{ evidence: E }>(list(verdict.rules).find((r) => r.rule === rule)).evidence as Loose<E>;
  const repository = facts.repository?.owner && facts.repository.name ? `${facts.repository.owner}/${facts.repository.name}` : (subject.repository ?? item.repo);
  const trigger = record.trigger ? `trigger ${show(record.trigger.event)}.${show(record.trigger.action)} (delivery ${show(record.trigger.deliveryId)})` : '';
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

function verdictFields(v: View<Verdict>): string {
  const emergency = v.emergency
    ? `label <code>${show(v.emergency.label)}</code>, retrospective approval due within ${show(v.emergency.hours)} h, by ${time(v.emergency.deadline)}`
    : v.emergency === null ? 'no' : NOT_RECORDED;
  return fields([
    ['Outcome', verdictLabel(v.outcome) + (v.outcome === 'error' ? ' — the evidence could not be established; never a pass' : '')],
    ['Enforced', yesNo(v.enforced, 'yes', `no: ${show(v.notEnforcedReason)} (recorded, not enforced)`)],
    ['Stage', v.stage === 'merge' ? 'at merge (final)' : v.stage === 'open' ? 'while open' : show(v.stage)],
    ['Evaluated at (UTC)', time(v.evaluatedAt)],
    ['Emergency', emergency],
    ['Error', v.error ? show(v.error) : v.error === null ? 'none' : NOT_RECORDED],
    ['Rules engine version', show(v.engineVersion)],
  ]);
}

const RULE_STATUS: Record<RuleStatus, string> = {
  pass: '<span class="pass">Pass</span>',
  fail: '<span class="fail">Fail</span>',
  pending: '<span class="warn">Pending</span>',
  not_applicable: '<span class="na">Not applicable</span>',
};

function rulesTable(v: View<Verdict>): string {
  const focus = (id: unknown) => (typeof id === 'string' && id in POINTS_OF_FOCUS ? `${escapeHtml(id)} ${escapeHtml(POINTS_OF_FOCUS[id as keyof typeof POINTS_OF_FOCUS])}` : show(id));
  const rows = list(v.rules).map((r) => [
    show(r.name ?? r.rule),
    typeof r.status === 'string' && r.status in RULE_STATUS ? RULE_STATUS[r.status as RuleStatus] : show(r.status),
    show(r.required),
    show(r.seen),
    r.toPass ? show(r.toPass) : '—',
    list(r.pointsOfFocus).map(focus).join('<br>') || '—',
  ]);
  return table(['Rule', 'Status', 'Required', 'Seen', 'To pass', 'CC8.1 points of focus'], rows, { empty: 'No rule results recorded.' });
}

/** Every evaluation of the change, oldest first: how the verdict evolved until merge. */
function historyTable(entries: readonly LedgerEntry[]): string {
  const rows = entries
    .filter((e) => e.kind === 'evaluation' || e.kind === 'change')
    .map((e) => {
      const r = view<EvaluationRecord>(e.data);
      const trigger = r.trigger ? `${show(r.trigger.event)}.${show(r.trigger.action)}` : NOT_RECORDED;
      return [show(e.seq), time(e.recorded_at), show(e.kind), verdictLabel(r.verdict?.outcome), time(r.verdict?.evaluatedAt), hash(r.verdict?.subject?.headSha), trigger];
    });
  const headers = ['Seq', 'Recorded at (UTC)', 'Kind', 'Outcome', 'Evaluated at (UTC)', 'Head SHA', 'Trigger'];
  return `<h3>Evaluation history</h3>${table(headers, rows, { numeric: [0], empty: 'No evaluation recorded.' })}`;
}

function reviewsTable(facts: View<ChangeFacts>, recorded: boolean, peer: Loose<PeerReviewEvidence>): string {
  const standings = list(peer?.reviewers);
  const onCommit = (sha: unknown) => (sha ? `${hash(sha)}${sha === facts.headSha ? ' (head)' : ''}` : NOT_RECORDED);
  const reviewer = (r: View<ReviewFacts>) => (r.author ? `${login(r.author.login)}${r.author.type === 'Bot' ? ' (bot)' : ''}` : 'a deleted account');
  const reviews = list(facts.reviews);
  // Without a snapshot, the standings the rule recorded are the only reviews left to show.
  const rows = reviews.length
    ? reviews.map((r) => [reviewer(r), link(show(r.state), r.url), time(r.submittedAt), onCommit(r.commitSha), yesNo(r.authorCanPushToRepository, 'yes', 'no'), countedWords(r, standings, !!peer)])
    : standings.map((s) => [login(s.login), link(show(s.state), s.url), time(s.submittedAt), onCommit(s.commitSha), yesNo(s.canPush, 'yes', 'no'), standingWords(s)]);
  const summary = peer ? `<p>${show(peer.counted)} of ${show(peer.requiredApprovals)} required approval(s) count.</p>` : '';
  const headers = ['Reviewer', 'State', 'Submitted at (UTC)', 'On commit', 'Write access', 'Counted as approval'];
  return summary + table(headers, rows, { empty: recorded ? 'No reviews were submitted.' : NO_SNAPSHOT });
}

/** Whether a review counted, from the reviewer's standing (their latest decisive review) as the peer-review rule judged it. */
function countedWords(r: View<ReviewFacts>, standings: View<ReviewerStanding>[], judged: boolean): string {
  if (r.state !== 'APPROVED') return '<span class="na">not an approval</span>';
  if (!judged) return NOT_RECORDED;
  const standing = standings.find((s) => s.login === r.author?.login);
  if (!standing) return '<span class="fail">✗ does not count</span>: the peer-review rule recorded no standing for this reviewer';
  if (standing.state === r.state && standing.submittedAt === r.submittedAt && standing.commitSha === r.commitSha) return standingWords(standing);
  return `<span class="fail">✗ does not count</span>: superseded by the reviewer's later review (${show(standing.state)} at ${time(standing.submittedAt)})`;
}

function standingWords(s: View<ReviewerStanding>): string {
  if (s.counts === true) return '<span class="pass">✓ counts</span>';
  if (s.state !== 'APPROVED') return '<span class="na">not an approval</span>';
  return `<span class="fail">✗ does not count</span>: ${list(s.notCountedBecause).map((n) => show(n.detail ?? n.code)).join('; ') || NOT_RECORDED}`;
}

const ROLE_WORDS: Record<string, string> = { pr_author: 'opened the PR', commit_author: 'commit author', co_author: 'co-author', committer: 'committer' };

function peopleTable(e: Loose<SeparationOfDutiesEvidence>): string {
  if (!e) return '';
  const rows = list(e.contributors).map((c) => [login(c.login), list(c.roles).map((r) => show(ROLE_WORDS[r] ?? r)).join(', '), list(c.commits).map(hash).join('<br>') || '—']);
  const unattributed = list(e.unattributedCommits).map((u) => `${hash(u.sha)} ${show(u.role)} ${show(u.name)} &lt;${show(u.email)}&gt;`);
  const excluded = list(e.excludedApprovals).map((x) => `${login(x.login)}: ${show(x.reason)}`);
  const merger = e.merger ? `${login(e.merger.login)}${e.merger.sameAsAuthor ? ' (the author)' : ''}` : NOT_RECORDED;
  return `<h3>Who wrote the change (separation of duties)</h3>
${table(['Account', 'Role', 'Commits'], rows, { empty: 'No contributors recorded.' })}
<p>Merged by: ${merger}. Approvals set aside: ${excluded.join('; ') || 'none'}. Unattributed commits: ${unattributed.join('; ') || 'none'}.</p>`;
}

function personWords(p: Loose<CommitPerson>): string {
  if (!p) return NOT_RECORDED;
  return `${show(p.name)} &lt;${show(p.email)}&gt;${p.user ? ` (${login(p.user.login)})` : ' (no GitHub account)'}`;
}

function commitsTable(facts: View<ChangeFacts>, recorded: boolean): string {
  const rows = list(facts.commits).map((c) => [
    link(hash(c.sha), c.url),
    show(c.headline),
    list(c.authors).map(personWords).join('<br>') || NOT_RECORDED,
    personWords(c.committer),
    time(c.authoredAt),
    time(c.committedAt),
  ]);
  const headers = ['SHA', 'Headline', 'Authors (primary first, then co-authors)', 'Committer', 'Authored at (UTC)', 'Committed at (UTC)'];
  return table(headers, rows, { empty: recorded ? 'No commits recorded.' : NO_SNAPSHOT });
}

function checksTable(facts: View<ChangeFacts>, recorded: boolean, e: Loose<ChecksEvidence>): string {
  const considered = list(e?.considered);
  const ignored = list(e?.ignored);
  const judged = (c: { name?: unknown; source?: unknown; at?: unknown }) => {
    const seen = considered.find((x) => x.name === c.name && x.source === c.source && x.at === c.at);
    if (seen) return `${show(seen.result)}${list(seen.requiredBy).length ? `; required by ${codes(list(seen.requiredBy))}` : ''}`;
    const set = ignored.find((x) => x.name === c.name && x.source === c.source);
    return set ? `not judged: ${show(set.why)}` : e ? 'not judged' : NOT_RECORDED;
  };
  const kind = (source: unknown) => (source === 'status' ? 'commit status' : source === 'check_run' ? 'check run' : show(source));
  const rows = list(facts.checks).map((c) => [link(show(c.name), c.url), kind(c.source), show(c.status), show(c.conclusion ?? '—'), time(c.at), show(c.reporter), judged(c)]);
  const missing = list(e?.missingRequired);
  const head = e
    ? `<p>On head ${hash(e.headSha)}: ${show(e.passing)} passing, at least ${show(e.minPassing)} required${missing.length ? `; required but not reported: ${codes(missing)}` : ''}.</p>`
    : '';
  const headers = ['Name', 'Kind', 'Status', 'Conclusion', 'At (UTC)', 'Reporter', 'Judged by the checks rule'];
  return head + table(headers, rows, { empty: recorded ? 'No checks reported on the head commit.' : NO_SNAPSHOT });
}

function carriedBy({ item, deploymentEntries }: EvidenceInput): string {
  const links = list(item.deployments).map((d) => [hash(d.itemId), show(d.environment), show(d.deploymentId), hash(d.sha), verdictLabel(d.decision ?? 'no_decision'), time(d.at)]);
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

/** `file:line:column: key: message. Hint: hint`, as `formatProblem` words it, read loosely. */
function problemWords(p: View<PolicyProblem>): string {
  const where = p.line === null || p.line === undefined ? show(p.file) : `${show(p.file)}:${show(p.line)}:${show(p.column ?? 1)}`;
  return `${where}: ${p.key ? `${show(p.key)}: ` : ''}${show(p.message)}. Hint: ${show(p.hint)}`;
}

function policyFields(value: unknown): string {
  if (value === null) return '<p class="fail">The policy could not be read; the verdict is then an evaluation error.</p>';
  const p = view<PolicyRecord & { problems: PolicyProblem[]; settings: unknown }>(value);
  const files = list(p.files).map((f) => [show(f.repository), `<code>${show(f.path)}</code>`, hash(f.blobSha), show(f.ref), hash(f.commitSha)]);
  const problems = list(p.problems).map((x) => `<li>${problemWords(x)}</li>`).join('');
  const noFiles = Array.isArray(p.files) ? 'No policy file: the built-in default policy applied.' : 'Policy source files not recorded.';
  return (
    fields([['Valid', yesNo(p.valid, 'yes', 'no: the file could not be used')]]) +
    table(['Repository', 'Path', 'Blob SHA', 'Ref', 'Commit SHA'], files, { empty: noFiles }) +
    (problems ? `<h3>Problems</h3><ul>${problems}</ul>` : '') +
    (p.settings !== undefined ? jsonDetails('Settings applied (fully defaulted)', p.settings) : '')
  );
}

// ---- Direct pushes ----

function pushSections({ item, entries }: EvidenceInput): string[] {
  const entry = ofKind(entries, 'push').at(-1);
  const push = view<PushRecord>(entry?.data);
  const unreviewed = new Set<unknown>(list(push.unreviewed));
  const rows = list(push.commits).map((c) => {
    const pr = c.introducedBy;
    const review = pr
      ? `<span class="pass">reviewed</span>: merged pull request ${link(`#${show(pr.number)}`, pr.url)}, merged at ${time(pr.mergedAt)}`
      : `<span class="fail">not reviewed</span>: no merged pull request introduced it${unreviewed.has(c.sha) ? '' : ' (not in the record’s unreviewed list)'}`;
    return [hash(c.sha), show(c.headline), login(c.author), review];
  });
  const details = fields([
    ['Repository', show(item.repo)],
    ['Ref', `<code>${show(push.ref)}</code>`],
    ['Before', hash(push.before)],
    ['After', hash(push.after)],
    ['Forced', yesNo(push.forced, 'yes (history rewritten)', 'no')],
    ['Created / deleted the branch', `${yesNo(push.created, 'created', 'not created')}, ${yesNo(push.deleted, 'deleted', 'not deleted')}`],
    ['Pusher', push.pusher ? `${show(push.pusher.name)} &lt;${show(push.pusher.email)}&gt;` : NOT_RECORDED],
    ['Sender', login(push.sender)],
    ['Received at (UTC)', time(push.receivedAt)],
    ['Gap', push.gap === null ? 'none: every commit was listed and associated' : show(push.gap)],
    ['Ledger entry', entry ? ledgerRef(entry) : NOT_RECORDED],
  ]);
  const commits = table(['SHA', 'Headline', 'Author', 'Review'], rows, { empty: entry ? 'No commits recorded.' : 'Not recorded: no push entry.' });
  return [section('push', 'Push', details), section('push-commits', 'Commits pushed and how each was reviewed', commits)];
}

// ---- Deployments ----

function deploymentSections(entries: readonly LedgerEntry[]): string[] {
  const decisionEntry = ofKind(entries, 'deployment_decision').at(-1);
  const record = view<DeploymentDecisionRecord>(decisionEntry?.data);
  const facts = record.facts ?? {};
  const decision = record.decision ?? {};
  const created = view<DeploymentRecord>(ofKind(entries, 'deployment')[0]?.data);
  const deployed = new Map(list(facts.commits).map((c) => [c.sha, c]));
  const rows = list(decision.commits).map((j) => {
    const c = deployed.get(j.sha)?.change;
    const change = c ? `${show(c.subject)}, ${verdictLabel(c.outcome)}, change record ${ledgerRef(c)}` : show(j.change ?? 'no change record');
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

function statusTable(entries: readonly LedgerEntry[]): string {
  const rows = ofKind(entries, 'deployment').map((e) => {
    const d = view<DeploymentRecord>(e.data);
    const decision = d.decision ? `${verdictLabel(d.decision.state)} at ${time(d.decision.decidedAt)} (entry ${show(d.decision.seq)})` : d.decision === null ? 'none' : NOT_RECORDED;
    return [show(d.deploymentId), show(d.environment), d.state === null ? 'created' : show(d.state), time(d.at), decision, ledgerRef(e)];
  });
  return table(['Deployment id', 'Environment', 'State', 'At (UTC)', 'Gate decision', 'Ledger entry'], rows, { empty: 'No deployment status recorded.' });
}

// ---- Shared ----

function exceptionsSection(exceptions: readonly ExceptionRow[] | null | undefined): string {
  const blocks = list(exceptions).map((x) =>
    fields([
      ['Type', `<code>${show(x.type)}</code>`],
      ['Occurred at (UTC)', time(x.occurredAt)],
      ['Actor', login(x.actor)],
      ['Reason', show(x.reason)],
      ['Deadline (UTC)', x.deadline ? time(x.deadline) : 'none'],
      ['Status', exceptionStatus(x.status)],
      ['Resolution', x.resolvedAt || x.resolution ? `${show(x.resolution)} — by ${login(x.resolvedBy)} at ${time(x.resolvedAt)}` : 'none'],
      ['Link', x.url ? link(`<span class="url">${show(x.url)}</span>`, x.url) : 'none'],
      ['Exception entry', ledgerRef(x.ledger)],
      ['Resolution entry', x.resolutionLedger ? ledgerRef(x.resolutionLedger) : 'none'],
    ]),
  );
  return section('exceptions', 'Exceptions', blocks.join('\n') || '<p class="empty">No exception was recorded for this item.</p>');
}

function ledgerRef(ref: { seq?: unknown; hash?: unknown } | null | undefined): string {
  return ref ? `seq ${show(ref.seq)}, hash ${hash(ref.hash)}` : NOT_RECORDED;
}

function ledgerSection({ entries, deploymentEntries }: EvidenceInput): string {
  const intro =
    '<p class="note">Each entry exactly as recorded. An entry\'s hash is the SHA-256 of its <code>prev_hash</code> followed by the RFC 8785 canonical JSON ' +
    'of the entry without <code>hash</code>; <code>changeproof verify</code> checks the whole chain and its signed checkpoints.</p>';
  const own = new Set(entries.map((e) => e.seq));
  const carried = deploymentEntries.filter((e) => !own.has(e.seq));
  const more = carried.length ? `<h3>Entries of the deployments that carried the change</h3>${carried.map(entryBlock).join('\n')}` : '';
  return section('ledger', 'Ledger entries', intro + (entries.map(entryBlock).join('\n') || '<p class="empty">No ledger entry.</p>') + more);
}

function entryBlock(e: LedgerEntry): string {
  const header = fields([
    ['Seq', show(e.seq)],
    ['Recorded at (UTC)', time(e.recorded_at)],
    ['Kind', `<code>${show(e.kind)}</code>`],
    ['Repository', show(e.repo)],
    ['Subject', `<code>${show(e.subject)}</code>`],
    ['Previous hash', hash(e.prev_hash)],
    ['Hash', hash(e.hash)],
  ]);
  return `<article class="entry" id="entry-${escapeHtml(String(e.seq))}">
<h3>Entry ${show(e.seq)}: <code>${show(e.kind)}</code> ${show(e.subject)}</h3>
${header}
${jsonDetails('Data (JSON, as recorded)', e.data)}
</article>`;
}

function footer({ generatedAt, toolVersion }: EvidenceInput): string {
  return `<footer class="doc">Generated by Changeproof ${show(toolVersion)} at ${time(generatedAt)}. Times are ISO-8601 UTC exactly as recorded; SHAs and hashes are shown in full. This file's SHA-256 is listed in <code>SHA256SUMS</code>.</footer>`;
}
