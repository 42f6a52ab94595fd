import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { rederiveExport } from '../../src/export/rederive.js';
import { changeEntry } from './support/change-entry.js';
import { claimOf, ledgerWith, makePackage } from './support/claims.js';

/**
 * An export read up to an older head of the ledger (before a non-compliant
 * change was recorded) and dated now leaves out what the ledger already held
 * when it was made: the app refuses to sign it.
 */
const work = mkdtempSync(join(tmpdir(), 'claims-stale-head-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('an export read up to an old head (before a non-compliant change was recorded) is not signed', async () => {
  // Entries 1-3: compliant changes of January. Entry 4: an unreviewed change merged 2026-01-20, well inside the period.
  const ledger = await ledgerWith(join(work, 'l'), [
    [1, 2, 3].map((n) => changeEntry(n, `2026-01-0${n * 3}T12:00:00Z`)),
    [changeEntry(4, '2026-01-20T12:00:00Z', { unreviewed: true })],
  ]);
  // The honest package (whole ledger) shows the non-compliant change.
  const honest = await makePackage(ledger, join(work, 'honest'));
  expect(honest.manifest.population).toMatchObject({ changes: 4, compliant: 3 });

  // The attacker's package: the same period, read only up to entry 3, dated now.
  const out = join(work, 'stale');
  const stale = await makePackage(ledger, out, { toSeq: 3 });
  expect(stale.manifest.ledger.head.size).toBe(3);
  expect(stale.manifest.population).toMatchObject({ changes: 3, compliant: 3 });

  // The app, with its clock (now) and its full ledger of 4 entries, is asked to sign it.
  const verdict = await rederiveExport(claimOf(out), ledger.deps);
  // EXPECTED: refused — entry 4 was recorded long before this export was made, and the package leaves it out.
  expect(verdict.ok).toBe(false);
}, 60_000);
