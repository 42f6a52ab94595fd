import { describe, expect, it } from 'vitest';
import { dayIn, inPeriod, parsePeriod, PeriodError, periodFromDates } from '../../src/sampling/period.js';

const NOW = new Date('2026-11-22T09:00:00Z');

describe('observation periods', () => {
  it.each([
    { name: '2026', from: '2026-01-01', to: '2026-12-31', days: 365 },
    { name: '2024', from: '2024-01-01', to: '2024-12-31', days: 366 },
    { name: '2026-H1', from: '2026-01-01', to: '2026-06-30', days: 181 },
    { name: '2026-h2', from: '2026-07-01', to: '2026-12-31', days: 184 },
    { name: '2026-Q1', from: '2026-01-01', to: '2026-03-31', days: 90 },
    { name: '2024-Q1', from: '2024-01-01', to: '2024-03-31', days: 91 },
    { name: '2026-Q4', from: '2026-10-01', to: '2026-12-31', days: 92 },
    { name: '2026-02', from: '2026-02-01', to: '2026-02-28', days: 28 },
    { name: 'last-90-days', from: '2026-08-24', to: '2026-11-21', days: 90 },
  ])('$name is $from … $to ($days days)', ({ name, from, to, days }) => {
    expect(parsePeriod(name, 'UTC', NOW)).toMatchObject({ from, to, days });
  });

  it('dates are inclusive calendar days in the time zone', () => {
    const p = periodFromDates('2026-01-01', '2026-03-31', 'Europe/Paris');
    expect(p.start).toBe('2025-12-31T23:00:00.000Z');
    // Paris moved to summer time (UTC+2) on 2026-03-29.
    expect(p.end).toBe('2026-03-31T22:00:00.000Z');
    expect(inPeriod(p, '2025-12-31T23:00:00Z')).toBe(true);
    expect(inPeriod(p, '2025-12-31T22:59:59Z')).toBe(false);
    expect(inPeriod(p, '2026-03-31T21:59:59Z')).toBe(true);
    expect(inPeriod(p, '2026-03-31T22:00:00Z')).toBe(false);
  });

  it('works west of UTC too', () => {
    const p = periodFromDates('2026-07-01', '2026-07-01', 'America/Los_Angeles');
    expect([p.start, p.end]).toEqual(['2026-07-01T07:00:00.000Z', '2026-07-02T07:00:00.000Z']);
    expect(dayIn('2026-07-02T06:59:00Z', 'America/Los_Angeles')).toBe('2026-07-01');
  });

  it('last-N-days counts complete days before today in the time zone', () => {
    const p = parsePeriod('last-1-days', 'Asia/Tokyo', new Date('2026-11-21T16:00:00Z')); // already the 22nd in Tokyo
    expect([p.from, p.to]).toEqual(['2026-11-21', '2026-11-21']);
  });

  it.each([
    ['2026-Q5', /unknown period/],
    ['Q1-2026', /unknown period/],
    ['2026-13', /unknown period/],
    ['last-0-days', /at least 1/],
  ])('refuses %s', (name, message) => {
    expect(() => parsePeriod(name, 'UTC', NOW)).toThrow(message);
  });

  it.each([
    ['2026-02-30', '2026-03-01', /--from "2026-02-30" is not a calendar day/],
    ['2026-1-1', '2026-03-01', /not a calendar day/],
    ['2026-03-02', '2026-03-01', /ends \(2026-03-01\) before it starts/],
  ])('refuses %s … %s', (from, to, message) => {
    expect(() => periodFromDates(from, to)).toThrow(message);
  });

  it('refuses an unknown time zone', () => {
    expect(() => periodFromDates('2026-01-01', '2026-01-31', 'Mars/Olympus')).toThrow(PeriodError);
    expect(() => periodFromDates('2026-01-01', '2026-01-31', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
