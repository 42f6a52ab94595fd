import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDecisionRecord, PushRecord } from '../../src/core/records.js';
import type { EntryInput } from '../../src/ledger/ledger.js';
import { sha } from '../core/facts-builder.js';
import { changeAt, exceptionOf, exportOf, ledgerOf, REPO, work, type Row } from './support/ledger-export.js';
import { changeScenario, deploymentScenario } from './support/fixtures.js';

/**
 * The export as an independent auditor reads it: ledgers written with
 * SqliteLedger, exported in-process with the CLI, the package's files read
 * back. Each test is a case where the files once disagreed with each other or
 * with GitHub: a repository named in another case, a deployment rejected then
 * approved, a merge or push recorded twice with its exception.
 */

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A direct push to main (its `push` entry and its `direct_push` exception), subject `push/<after>` plus `suffix`. */
function directPush(label: string, pushedAt: string, suffix = '', before = sha(`before-${label}`)): EntryInput[] {
  const after = sha(label);
  const subject = `push/${after}${suffix}`;
  const push: PushRecord = {
    ref: 'refs/heads/main', before, after, forced: false, created: false, deleted: false,
    pusher: { name: 'Mallory', email: 'mallory@example.com' }, sender: 'mallory', receivedAt: pushedAt, pushedAt,
    commits: [{ sha: after, author: 'mallory', headline: 'Hotfix', introducedBy: null }], unreviewed: [after], gap: null,
    trigger: { event: 'push', action: null, deliveryId: `d-push-${label}${suffix}`, sender: 'mallory' },
  } as PushRecord;
  return [
    { kind: 'push', repo: REPO, subject, data: push as unknown as EntryInput['data'] },
    exceptionOf(subject, 'direct_push', pushedAt, { actor: 'mallory', outcome: null }),
  ];
}

const JANUARY = ['--from', '2026-01-01', '--to', '2026-01-31'];

describe('auditor review of the export', () => {
  // Problem: --repo is matched case-sensitively; GitHub names are case-insensitive, so `Acme/API` finds no entry and the export is refused.
  it('--repo in a different case selects the same repository and its whole population', async () => {
    const ledger = await ledgerOf([changeAt(1, '2026-01-10T12:00:00Z'), changeAt(2, '2026-01-20T12:00:00Z')]);
    const p = await exportOf(ledger, ['--seed', 's', ...JANUARY, '--repo', 'Acme/API']);
    expect(p.population.map((row) => row.id).sort()).toEqual(['acme/api#1', 'acme/api#2']);
  });

  // Problem: a deployment the gate rejected and then approved (a re-run) stays "rejected" on the change rows it carried, while its own row says approved.
  it('a deployment rejected then approved shows as approved on the change it carried (population.csv and sample.csv)', async () => {
    const decision = deploymentScenario(changeScenario()).entries.find((e) => e.kind === 'deployment_decision')!.data as unknown as DeploymentDecisionRecord;
    const approved = JSON.parse(JSON.stringify(decision)) as DeploymentDecisionRecord;
    approved.decision.changes = ['pull/1'];
    approved.decision.evaluatedAt = '2026-01-10T14:00:00Z';
    const rejected = JSON.parse(JSON.stringify(approved)) as DeploymentDecisionRecord;
    rejected.decision.state = 'rejected';
    rejected.decision.summary = 'Rejected: #1 was not yet compliant';
    rejected.decision.evaluatedAt = '2026-01-10T13:00:00Z';
    const ledger = await ledgerOf([
      changeAt(1, '2026-01-10T12:00:00Z'),
      { kind: 'deployment_decision', repo: REPO, subject: 'deployment/7', data: rejected as unknown as EntryInput['data'] },
      { kind: 'deployment_decision', repo: REPO, subject: 'deployment/7', data: approved as unknown as EntryInput['data'] },
    ]);
    const p = await exportOf(ledger, [...JANUARY, '--sample-size', '5']);
    const byId = (rows: Row[], id: string) => rows.find((row) => row.id === id)!;
    expect(byId(p.population, 'acme/api/deployments/7').verdict).toBe('approved');
    expect(byId(p.population, 'acme/api#1').deployments).not.toMatch(/rejected/);
    expect(byId(p.population, 'acme/api#1').deployments).toMatch(/approved/);
    expect(byId(p.sample, 'acme/api#1').deployment).toBe('pass');
  });

  // Problem: a merge recorded twice (redelivery) is one population row but its exception is listed twice in exceptions.csv, the row and the manifest.
  it('a merge recorded twice with its exception: one exception in exceptions.csv, population.csv and the manifest', async () => {
    const ledger = await ledgerOf([
      changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true }), exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true }), exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
    ]);
    const p = await exportOf(ledger, [...JANUARY, '--sample-size', '5']);
    expect(p.population.map((row) => row.id)).toEqual(['acme/api#1']);
    expect(p.exceptions.map((e) => e.item_id)).toEqual(['acme/api#1']);
    expect(p.population[0]!.exceptions).toBe('merged_without_passing_control: open');
    const manifest = JSON.parse(readFileSync(join(p.dir, 'manifest.json'), 'utf8')) as { exceptions: { total: number; open: number } };
    expect(manifest.exceptions).toEqual({ total: 1, open: 1 });
  });

  // Problem: a direct push recorded twice (redelivery) is one population row but two rows in exceptions.csv and two exceptions on its row.
  it('a direct push recorded twice: one population row and one exception', async () => {
    const ledger = await ledgerOf([...directPush('p1', '2026-01-12T12:00:00Z'), ...directPush('p1', '2026-01-12T12:00:00Z')]);
    const p = await exportOf(ledger, [...JANUARY, '--sample-size', '5']);
    expect(p.population).toHaveLength(1);
    expect(p.exceptions).toHaveLength(1);
    expect(p.population[0]!.exceptions).toBe('direct_push: open');
  });
});

