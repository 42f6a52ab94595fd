import { describe, expect, it } from 'vitest';
import type { DeploymentDecisionRecord, DeploymentRecord, ExceptionRecord } from '../../src/core/records.js';
import type { DeploymentLink, PopulationItem } from '../../src/export/model.js';
import {
  changeItem, deploymentAttribute, deploymentItem, exceptionRow, itemCompliant, itemIdOf, pushItem, subjectOfItem,
} from '../../src/export/population.js';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { changeScenario, deploymentScenario, EntryChain, pushScenario, REPO, trigger } from './support/fixtures.js';

/** Population rows from ledger entries: each kind, each verdict, the joins. */

const byKind = (entries: LedgerEntry[], kind: string) => entries.filter((e) => e.kind === kind);

describe('changeItem', () => {
  it('a compliant change: id, approvals counted or not, checks, verdict, attributes, ledger ref', () => {
    const { change } = changeScenario();
    const item = changeItem(change, 'UTC');
    expect(item).toMatchObject({ id: `${REPO}#42`, repo: REPO, kind: 'change', verdict: 'compliant', enforced: true, mergedBy: 'dave', month: '2026-03', subject: 'pull/42' });
    expect(item.ledger).toEqual({ seq: change.seq, hash: change.hash, kind: 'change', recordedAt: change.recorded_at });
    expect(item.approvals.map((a) => `${a.login}:${a.counted}`)).toEqual(expect.arrayContaining(['carol:true']));
    expect(item.attributes.peer_review.result).toBe('pass');
    expect(item.attributes.separation_of_duties.result).toBe('pass');
    expect(item.attributes.tests.result).toBe('pass');
    expect(item.attributes.deployment).toMatchObject({ result: 'not_applicable' });
    expect(item.checks.every((c) => c.name && c.conclusion)).toBe(true);
    expect(item.mergeSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('an emergency change fails peer review and is not compliant until resolved in time', () => {
    const { change } = changeScenario({ emergency: true });
    const item = changeItem(change, 'UTC');
    expect(item.verdict).toBe('emergency');
    expect(item.attributes.peer_review.result).toBe('fail');
    expect(itemCompliant({ ...item, exceptions: [] })).toBe(true);
    expect(itemCompliant({ ...item, exceptions: [{ status: 'resolved_late' } as PopulationItem['exceptions'][number]] })).toBe(false);
    expect(itemCompliant({ ...item, exceptions: [{ status: 'resolved' } as PopulationItem['exceptions'][number]] })).toBe(true);
  });

  it('the month is the merge time in the export\'s time zone', () => {
    const { change } = changeScenario();
    const late = { ...change, data: { ...(change.data as object), mergedAt: '2026-03-31T23:30:00Z' } } as LedgerEntry;
    expect(changeItem(late, 'UTC').month).toBe('2026-03');
    expect(changeItem(late, 'Europe/Paris').month).toBe('2026-04');
    expect(changeItem(late, 'America/New_York').month).toBe('2026-03');
  });

  it('an error verdict leaves attributes not evaluated, never passed', () => {
    const { change } = changeScenario();
    const data = change.data as { verdict: object };
    const broken = { ...change, data: { ...data, facts: null, verdict: { ...data.verdict, outcome: 'error', rules: [], error: 'GitHub answered 502' } } } as LedgerEntry;
    const item = changeItem(broken, 'UTC');
    expect(item.verdict).toBe('error');
    for (const a of ['peer_review', 'separation_of_duties', 'tests', 'traceability'] as const) {
      expect(item.attributes[a]).toEqual({ result: 'not_evaluated', detail: 'GitHub answered 502' });
    }
    expect(itemCompliant(item)).toBe(false);
  });
});

describe('pushItem', () => {
  it('a direct push: id by the pushed SHA, the pusher, every attribute failed or not evaluated', () => {
    const { input } = pushScenario();
    const exception = byKind(input.entries, 'exception')[0]!;
    const push = byKind(input.entries, 'push')[0]!;
    const item = pushItem(exception, push, 'UTC');
    const after = exception.subject.slice('push/'.length);
    expect(item).toMatchObject({ id: `${REPO}@${after}`, kind: 'direct_push', verdict: 'direct_push', mergeSha: after, month: '2026-02' });
    expect(item.title).toMatch(/^Direct push to main: \d+ commits?, \d+ without a merged pull request( \(forced\))?$/);
    expect(item.attributes.peer_review.result).toBe('fail');
    expect(item.attributes.tests.result).toBe('not_evaluated');
    expect(itemCompliant(item)).toBe(false);
    expect(pushItem(exception, null, 'UTC').title).toBe(`Direct push ${after}`);
  });
});

describe('deploymentItem', () => {
  const scenario = () => deploymentScenario(changeScenario());
  const records = (entries: LedgerEntry[]) => byKind(entries, 'deployment');
  const decision = (entries: LedgerEntry[]) => byKind(entries, 'deployment_decision')[0] ?? null;
  const withDecision = (entry: LedgerEntry, state: 'approved' | 'rejected', gated = true) => {
    const d = entry.data as unknown as DeploymentDecisionRecord;
    return { ...entry, data: { ...d, decision: { ...d.decision, state, gated } } } as unknown as LedgerEntry;
  };

  it.each([
    ['approved', 'approved', 'pass'],
    ['rejected and never deployed', 'rejected', 'pass'],
  ] as const)('%s: the deployment attribute is %s', (_name, state, expected) => {
    const { entries } = scenario();
    const recs = state === 'rejected' ? records(entries).filter((e) => (e.data as unknown as DeploymentRecord).state !== 'success') : records(entries);
    const item = deploymentItem(recs, withDecision(decision(entries)!, state), 'UTC')!;
    expect(item).toMatchObject({ kind: 'deployment', verdict: state, id: `${REPO}/deployments/7` });
    expect(item.attributes.deployment.result).toBe(expected);
  });

  it('rejected yet reported successful fails; deployed to a gated environment without asking fails', () => {
    const { entries } = scenario();
    const rejected = deploymentItem(records(entries), withDecision(decision(entries)!, 'rejected'), 'UTC')!;
    expect(rejected.attributes.deployment).toMatchObject({ result: 'fail', detail: expect.stringContaining('yet reported successful') });
    const unasked = deploymentItem(records(entries), null, 'UTC')!;
    expect(unasked.verdict).toBe('no_decision');
    expect(unasked.attributes.deployment).toMatchObject({ result: 'fail', detail: expect.stringContaining('without asking the gate') });
  });

  it('an environment the policy does not gate is not in the population', () => {
    const { entries } = scenario();
    const ungated = records(entries).map((e) => ({ ...e, data: { ...(e.data as object), gated: false } }) as unknown as LedgerEntry);
    expect(deploymentItem(ungated, withDecision(decision(entries)!, 'approved', false), 'UTC')).toBeNull();
  });
});

describe('exceptionRow', () => {
  const chain = new EntryChain({ start: '2026-03-01T00:00:00.000Z' });
  const exception = (deadline: string | null) => chain.append('exception', REPO, 'pull/9', {
    type: deadline ? 'emergency_change' : 'merged_without_passing_control', subject: 'pull/9', reason: 'Merged by @alice.', outcome: deadline ? 'emergency' : 'non_compliant',
    occurredAt: '2026-03-02T10:00:00Z', deadline, url: 'https://github.com/acme/api/pull/9', actor: 'alice', trigger: trigger('pull_request', 'closed', 'd-9'),
  } satisfies ExceptionRecord);

  it.each([
    ['no deadline', null, null, '2026-04-01T00:00:00Z', 'open'],
    ['deadline ahead', '2026-03-04T10:00:00Z', null, '2026-03-03T00:00:00Z', 'open'],
    ['deadline passed', '2026-03-04T10:00:00Z', null, '2026-04-01T00:00:00Z', 'overdue'],
    ['resolved in time', '2026-03-04T10:00:00Z', 'resolved', '2026-04-01T00:00:00Z', 'resolved'],
    ['resolved late', '2026-03-04T10:00:00Z', 'resolved_late', '2026-04-01T00:00:00Z', 'resolved_late'],
  ] as const)('%s → %s', (_name, deadline, resolution, asOf, status) => {
    const opened = exception(deadline);
    const resolved = resolution ? chain.append('exception_resolved', REPO, 'pull/9', {
      subject: 'pull/9', exceptionSeq: opened.seq, exceptionHash: opened.hash, resolution, approval: { login: 'bob', submittedAt: '2026-03-05T09:00:00Z', commitSha: null, url: null },
      deadline, explanation: 'bob approved.', trigger: trigger('pull_request_review', 'submitted', 'd-10', 'bob'),
    }) : null;
    const row = exceptionRow(opened, resolved, asOf);
    expect(row).toMatchObject({ itemId: `${REPO}#9`, status, ledger: { seq: opened.seq, hash: opened.hash } });
    if (resolved) expect(row).toMatchObject({ resolvedBy: 'bob', resolvedAt: '2026-03-05T09:00:00Z', resolutionLedger: { seq: resolved.seq } });
  });
});

describe('deploymentAttribute', () => {
  const link = (decision: DeploymentLink['decision']): DeploymentLink => ({ itemId: `${REPO}/deployments/1`, environment: 'production', deploymentId: 1, sha: 'a'.repeat(40), decision, at: '2026-03-03T00:00:00Z' });
  it.each([
    ['approved', [link('approved')], true, 'pass'],
    ['approved after a rejection', [link('rejected'), link('approved')], true, 'pass'],
    ['deployed without the gate', [link(null)], true, 'fail'],
    ['only rejected', [link('rejected')], true, 'not_applicable'],
    ['not deployed yet', [], true, 'not_applicable'],
    ['nothing gated', [], false, 'not_applicable'],
  ] as const)('%s → %s', (_name, links, gates, result) => {
    expect(deploymentAttribute([...links], gates).result).toBe(result);
  });
});

describe('item ids', () => {
  it.each([
    ['acme/api', 'pull/42', 'acme/api#42'],
    ['acme/api', `push/${'c'.repeat(40)}`, `acme/api@${'c'.repeat(40)}`],
    ['acme/api', 'deployment/7', 'acme/api/deployments/7'],
    ['acme/my.repo_x-1', 'pull/3', 'acme/my.repo_x-1#3'],
  ])('%s %s ↔ %s', (repo, subject, id) => {
    expect(itemIdOf(repo, subject)).toBe(id);
    expect(subjectOfItem(id)).toEqual({ repo, subject });
  });
  it('other subjects are no item', () => {
    expect(itemIdOf('acme/api', 'policy/abc')).toBeNull();
    expect(itemIdOf('acme/api', 'installation/1')).toBeNull();
  });
});
