import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rederiveExport } from '../../src/export/rederive.js';
import { changeEntry } from './support/change-entry.js';
import { claimOf, ledgerWith, makePackage, rawClaim, type TestLedger } from './support/claims.js';

/**
 * The app signs the manifest's exact text, so that text must be the one it
 * derives: a member written twice (JSON.parse keeps the last, a reader may see
 * the first), a member the format does not have, or a field no other
 * comparison reads is refused.
 */
const work = mkdtempSync(join(tmpdir(), 'claims-manifest-text-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let ledger: TestLedger;
let out: string;
beforeAll(async () => {
  ledger = await ledgerWith(join(work, 'l'), [[
    changeEntry(1, '2026-01-03T12:00:00Z'), changeEntry(2, '2026-01-06T12:00:00Z'),
    changeEntry(3, '2026-01-09T12:00:00Z', { unreviewed: true }), changeEntry(4, '2026-01-12T12:00:00Z'),
  ]]);
  out = join(work, 'pkg');
  const made = await makePackage(ledger, out);
  expect(made.manifest.population).toMatchObject({ changes: 4, compliant: 3 });
  const genuine = await rederiveExport(rawClaim(out), ledger.deps);
  expect(genuine.differences).toEqual([]);
}, 60_000);

describe('the manifest bytes the app signs', () => {
  it('a key given twice: the first (what a reader sees) says every change was compliant; the app checks only the last', async () => {
    const { manifest, selection } = rawClaim(out);
    // Placed right after "format", where the reader looks; the true values stay further down.
    const doctored = manifest.replace(
      /^\{\n  "format": ("[^"]*"),\n/,
      (_m, f: string) => `{\n  "format": ${f},\n  "population": { "size": 4, "changes": 4, "compliant": 4, "direct_pushes": 0, "deployments": 0 }, "exceptions": { "total": 0, "open": 0 }, "completeness": { "repositories": ["acme/api"], "commitsChecked": 4, "pullRequestsChecked": 4, "gaps": 0, "failures": [], "methods": [] },\n`,
    );
    expect(doctored).not.toBe(manifest);
    const verdict = await rederiveExport({ manifest: doctored, selection }, ledger.deps);
    // EXPECTED: refused — the signed text names the population twice, the first time falsely.
    expect(verdict.ok).toBe(false);
  }, 60_000);

  it('keys the format does not have are signed as written', async () => {
    const verdict = await rederiveExport(claimOf(out, (m) => {
      m['attestation'] = 'All changes of the period were reviewed and compliant; completeness reconciled with GitHub: 0 gaps.';
    }), ledger.deps);
    // EXPECTED: refused — the app signs a statement it never checked.
    expect(verdict.ok).toBe(false);
  }, 60_000);

  it('ledger.verified_entries is neither compared nor rendered from the claim', async () => {
    const verdict = await rederiveExport(claimOf(out, (m) => {
      (m['ledger'] as Record<string, unknown>)['verified_entries'] = 1_000_000;
    }), ledger.deps);
    // EXPECTED: refused — the app verified 4 entries, not a million.
    expect(verdict.ok).toBe(false);
  }, 60_000);
});
