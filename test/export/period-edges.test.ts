import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { changeAt, exportOf, ledgerOf, work } from './support/ledger-export.js';

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * An item belongs to the period by when it happened, counted in calendar days
 * of --tz (auditor guide: "--from, --to: calendar days, inclusive, in --tz").
 */
describe('period edges in a time zone', () => {
  it('Europe/Paris: an item at local midnight of 1 April belongs to Q2 and stratum 2026-04, one a second earlier to Q1 and 2026-03', async () => {
    const ledger = await ledgerOf([
      changeAt(1, '2026-03-31T22:00:00Z'), // 2026-04-01 00:00:00 CEST
      changeAt(2, '2026-03-31T21:59:59Z'), // 2026-03-31 23:59:59 CEST
      changeAt(3, '2026-03-29T01:30:00Z'), // DST day: 03:30 CEST
    ]);
    const q1 = await exportOf(ledger, ['--period', '2026-Q1', '--tz', 'Europe/Paris', '--sample-size', '1']);
    expect(q1.population.map((r) => [r.id, r.month])).toEqual([['acme/api#2', '2026-03'], ['acme/api#3', '2026-03']]);
    const q2 = await exportOf(ledger, ['--period', '2026-Q2', '--tz', 'Europe/Paris', '--sample-size', '1', '--strata', 'month']);
    expect(q2.population.map((r) => [r.id, r.month])).toEqual([['acme/api#1', '2026-04']]);
  });

  // America/Santiago: on 2026-09-06 clocks go from 00:00 (-04) to 01:00 (-03); the day begins at 04:00Z.
  // 2026-09-06T03:30:00Z is 2026-09-05 23:30 in Santiago.
  it('America/Santiago (midnight skipped by DST): an item at 23:30 on 5 September is not in a period starting 6 September', async () => {
    const ledger = await ledgerOf([changeAt(1, '2026-09-06T03:30:00Z'), changeAt(2, '2026-09-10T12:00:00Z')]);
    const pkg = await exportOf(ledger, ['--from', '2026-09-06', '--to', '2026-09-30', '--tz', 'America/Santiago', '--sample-size', '1']);
    expect(pkg.population.map((r) => r.id)).toEqual(['acme/api#2']);
  });

  it('America/Santiago (midnight skipped by DST): an item at 23:30 on 5 September is in the period ending 5 September', async () => {
    const ledger = await ledgerOf([changeAt(1, '2026-09-06T03:30:00Z'), changeAt(2, '2026-09-02T12:00:00Z')]);
    const pkg = await exportOf(ledger, ['--from', '2026-09-01', '--to', '2026-09-05', '--tz', 'America/Santiago', '--sample-size', '1']);
    expect(pkg.population.map((r) => r.id).sort()).toEqual(['acme/api#1', 'acme/api#2']);
  });
});
