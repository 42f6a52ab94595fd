import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rederiveExport } from '../../src/export/rederive.js';
import { changeEntry } from './support/change-entry.js';
import { claimOf, ledgerWith, makePackage, rawClaim, type TestLedger } from './support/claims.js';

/** Edits of a claimed manifest that the re-derivation refuses. */
const work = mkdtempSync(join(tmpdir(), 'claims-holds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let ledger: TestLedger;
let out: string;
beforeAll(async () => {
  ledger = await ledgerWith(join(work, 'l'), [[1, 2, 3, 4].map((n) => changeEntry(n, `2026-01-0${n * 2}T12:00:00Z`, { unreviewed: n === 3 }))]);
  out = join(work, 'pkg');
  await makePackage(ledger, out);
  expect((await rederiveExport(rawClaim(out), ledger.deps)).ok).toBe(true);
}, 60_000);

const refused = async (edit: (m: Record<string, unknown>) => void) => (await rederiveExport(claimOf(out, edit), ledger.deps)).ok;

it('repository names in another case, a time zone or period shifted, coverage flags and fake completeness are refused', async () => {
  expect(await refused((m) => { m['repositories'] = ['ACME/API']; })).toBe(false);
  expect(await refused((m) => { (m['period'] as Record<string, unknown>)['time_zone'] = 'Pacific/Kiritimati'; })).toBe(false);
  expect(await refused((m) => { (m['period'] as Record<string, unknown>)['end'] = '2026-01-05T00:00:00.000Z'; })).toBe(false);
  expect(await refused((m) => { (m['coverage'] as Record<string, unknown>)['partial_allowed'] = true; })).toBe(false);
  expect(await refused((m) => { m['exceptions'] = { total: 1, open: 0 }; })).toBe(false);
  // completeness claimed for an export that covers 'all' repositories: refused before anything is derived
  expect(await refused((m) => { m['completeness'] = { repositories: ['acme/api'], commitsChecked: 4, pullRequestsChecked: 4, gaps: 0, failures: [], methods: [] }; })).toBe(false);
  expect(await refused((m) => { m['generated_at'] = '2020-01-01T00:00:00Z'; })).toBe(false);
}, 60_000);
