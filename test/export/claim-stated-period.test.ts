import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { rederiveExport } from '../../src/export/rederive.js';
import { parsePeriod } from '../../src/sampling/period.js';
import { changeEntry } from './support/change-entry.js';
import { ledgerWith, makePackage, rawClaim } from './support/claims.js';

/**
 * The words an export uses for its own period must name the period it covers:
 * a one-week export labelled and parametrised as the whole quarter (ending
 * before a non-compliant change) is refused.
 */
const work = mkdtempSync(join(tmpdir(), 'claims-free-text-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a one-week export labelled and parametrised as the whole quarter is not signed', async () => {
  const ledger = await ledgerWith(join(work, 'l'), [[
    changeEntry(1, '2026-01-03T12:00:00Z'), changeEntry(2, '2026-01-06T12:00:00Z'),
    changeEntry(3, '2026-01-09T12:00:00Z', { unreviewed: true }), changeEntry(4, '2026-01-12T12:00:00Z'),
  ]]);
  const q1 = parsePeriod('2026-Q1', 'UTC');
  expect(q1.label).toBe('2026-Q1');
  const out = join(work, 'pkg');
  const made = await makePackage(ledger, out, {
    from: '2026-01-01', to: '2026-01-07', label: '2026-Q1', toolVersion: '1.0.0',
    parameters: { period: '2026-Q1', 'resolved-period': '2026-01-01..2026-03-31', ledger: 'https://changeproof.acme.example/api/changeproof', repo: 'acme/api', 'sample-size': '2', completeness: 'github' },
  });
  expect(made.manifest.population).toMatchObject({ changes: 2, compliant: 2 });
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  expect(report).toContain('<h1>Change-management report — 2026-Q1</h1>');
  expect(report).toContain('2026-01-01..2026-03-31');

  const verdict = await rederiveExport(rawClaim(out), ledger.deps);
  // EXPECTED: refused — the label and parameters do not describe the period that was exported.
  expect(verdict.ok).toBe(false);
}, 60_000);
