import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/parse-policy.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { ChangeRecord } from '../../src/core/records.js';
import { verifyExport } from '../../src/export/verify-export.js';
import type { SelectionDocument } from '../../src/export/selection-file.js';
import type { EntryInput } from '../../src/ledger/ledger.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { check, commit, merged, person, pullRequest, review, sha } from '../core/facts-builder.js';
import { runCli } from '../ledger/support/run-cli.js';

/**
 * Every stratified export `changeproof export` makes, `verify-export` accepts
 * (SPEC §6.5): random populations over months and repositories, with sample
 * sizes below, at and around the number of strata, written to a real SQLite
 * ledger, exported with the CLI and verified.
 */

const REPOS = ['acme/api', 'acme/web', 'acme/infra', 'beta/app'];
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
const POLICY = defaultPolicy();
const work = mkdtempSync(join(tmpdir(), 'changeproof-strata-'));
let runs = 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Change {
  repo: number;
  month: number;
  day: number;
}

/** A merged, compliant pull request as the app records it: the `change` entry. */
function changeEntry(change: Change, number: number): EntryInput {
  const repo = REPOS[change.repo]!;
  const [owner, name] = repo.split('/') as [string, string];
  const mergedAt = `${MONTHS[change.month]}-${String(change.day).padStart(2, '0')}T12:00:00Z`;
  const url = `https://github.com/${repo}/pull/${number}`;
  const facts = pullRequest({
    repository: { owner, name, defaultBranch: 'main' }, number, url, title: `Change ${number}`, createdAt: mergedAt.replace('12:00', '09:00'),
    commits: [commit(`c${number}`, { author: person('alice') })], reviews: [review('bob', 'APPROVED', { at: mergedAt.replace('12:00', '10:00') })],
    checks: [check('ci', 'success', { at: mergedAt.replace('12:00', '09:30') })],
  });
  const done = { ...merged(facts, { by: 'carol', at: mergedAt }), merge: { mergedAt, mergedBy: { login: 'carol', type: 'User' as const }, mergeCommitSha: sha(`merge-${repo}-${number}`) } };
  const record: ChangeRecord = {
    trigger: { event: 'pull_request', action: 'closed', deliveryId: `d-${repo}-${number}`, sender: 'carol' },
    verdict: evaluate(POLICY, done, new Date(mergedAt)), facts: done,
    policy: { valid: true, settings: POLICY, files: [{ repository: repo, path: '.github/changeproof.yml', blobSha: sha('policy'), ref: 'main', commitSha: sha('policy-commit') }] },
    mergedAt, mergedBy: 'carol', mergeCommitSha: done.merge.mergeCommitSha, exception: false,
  };
  return { kind: 'change', repo, subject: `pull/${number}`, data: record as unknown as EntryInput['data'] };
}

/** A ledger holding these changes, recorded from before the period (so it covers every repository). */
async function ledgerOf(changes: Change[]): Promise<string> {
  const path = join(work, `ledger-${++runs}`, 'ledger.db');
  let t = Date.parse('2025-12-01T00:00:00Z');
  const ledger = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
  await ledger.append(changes.map((c, i) => changeEntry(c, i + 1)));
  await ledger.close();
  return path;
}

const cli = (argv: string[]) => runCli(argv);

const layouts = fc.record({
  changes: fc.array(fc.record({ repo: fc.integer({ min: 0, max: REPOS.length - 1 }), month: fc.integer({ min: 0, max: MONTHS.length - 1 }), day: fc.integer({ min: 1, max: 28 }) }), { minLength: 1, maxLength: 30 }),
  strata: fc.constantFrom('month' as const, 'repo' as const),
  // fixed sizes below, at and just above the number of strata; auto gives 1, 2 or 3 here
  size: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }).map(String) }, { weight: 1, arbitrary: fc.constant('auto') }),
  seed: fc.stringMatching(/^[A-Za-z0-9:_ -]{0,10}[A-Za-z0-9]$/),
});

describe('stratified exports verify', () => {
  it('every export verify-export is given back, with the raise said in selection.json', async () => {
    await fc.assert(
      fc.asyncProperty(layouts, async ({ changes, strata, size, seed }) => {
        const ledger = await ledgerOf(changes);
        const out = join(work, `export-${runs}`);
        const made = await cli(['export', '--ledger', ledger, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, `--seed=${seed}`, '--sample-size', size, '--strata', strata, '--json']);
        expect(made.err).toBe('');
        expect(made.code).toBe(0);

        const selection = JSON.parse(readFileSync(join(out, 'selection.json'), 'utf8')) as SelectionDocument;
        const strataCount = new Set(changes.map((c) => (strata === 'month' ? c.month : c.repo))).size;
        expect(selection.allocation).toHaveLength(strataCount);
        expect(selection.allocation.every((a) => a.sample >= 1 && a.sample <= a.population)).toBe(true);
        if (size !== 'auto') {
          const ruleSize = Math.min(Number(size), changes.length);
          expect(selection.ids).toHaveLength(Math.max(ruleSize, strataCount));
          expect(selection.sample_size.raised).toEqual(ruleSize < strataCount ? { from: ruleSize, to: strataCount, strata: strataCount, reason: 'at least one item per stratum' } : null);
          expect(selection.sample_size.derivation.includes('raised from')).toBe(ruleSize < strataCount);
        }

        const report = await verifyExport(out, { publicKeyPem: readFileSync(ledger.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem'), 'utf8') });
        expect(report.checks.filter((c) => !c.ok)).toEqual([]);
        expect(report.ok).toBe(true);
        rmSync(join(work, `ledger-${runs}`), { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('n raised from 1 to 3 months: selection.json and verify-export say so', async () => {
    const changes: Change[] = [{ repo: 0, month: 0, day: 3 }, { repo: 0, month: 0, day: 4 }, { repo: 1, month: 2, day: 9 }, { repo: 2, month: 4, day: 20 }];
    const ledger = await ledgerOf(changes);
    const out = join(work, 'raised');
    expect((await cli(['export', '--ledger', ledger, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, '--seed', 's', '--sample-size', '1', '--strata', 'month'])).code).toBe(0);
    const selection = JSON.parse(readFileSync(join(out, 'selection.json'), 'utf8')) as SelectionDocument;
    expect(selection.sample_size).toMatchObject({ size: 3, raised: { from: 1, to: 3, strata: 3 }, derivation: 'fixed at 1; raised from 1 to 3: at least one item per stratum (3 month strata)' });
    expect(selection.allocation).toEqual([
      { stratum: '2026-01', population: 2, sample: 1 },
      { stratum: '2026-03', population: 1, sample: 1 },
      { stratum: '2026-05', population: 1, sample: 1 },
    ]);
    const report = await verifyExport(out, { publicKeyPem: readFileSync(ledger.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem'), 'utf8') });
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'sample size')!.detail).toBe('the rule gives 1, raised to 3 (at least one item per stratum: 3 strata) for 4 items in 181 days; selection.json has 3');
  });
});
