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

  it.each([
    { day: '2026-09-06', tz: 'America/Santiago', start: '2026-09-06T04:00:00.000Z', end: '2026-09-07T03:00:00.000Z', why: 'clocks skip midnight (00:00 → 01:00): the day begins at the change; 23:30 on the 5th (03:30Z) is the day before' },
    { day: '2026-03-08', tz: 'America/Havana', start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z', why: 'Cuba skips midnight too' },
    { day: '2026-04-05', tz: 'America/Santiago', start: '2026-04-05T04:00:00.000Z', end: '2026-04-06T04:00:00.000Z', why: 'clocks go back at midnight: the hour lived twice belongs to the 4th' },
    { day: '2026-03-29', tz: 'Europe/Paris', start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', why: 'a 23-hour day (the change at 02:00)' },
    { day: '2026-01-01', tz: 'Pacific/Kiritimati', start: '2025-12-31T10:00:00.000Z', end: '2026-01-01T10:00:00.000Z', why: 'UTC+14' },
    { day: '2026-01-01', tz: 'Pacific/Pago_Pago', start: '2026-01-01T11:00:00.000Z', end: '2026-01-02T11:00:00.000Z', why: 'UTC−11' },
    { day: '2026-01-01', tz: 'Asia/Kolkata', start: '2025-12-31T18:30:00.000Z', end: '2026-01-01T18:30:00.000Z', why: 'a half-hour offset' },
  ])('$day in $tz begins at $start: $why', ({ day, tz, start, end }) => {
    const p = periodFromDates(day, day, tz);
    expect([p.start, p.end]).toEqual([start, end]);
    expect(dayIn(new Date(Date.parse(start) - 1000).toISOString(), tz) < day).toBe(true);
    expect(dayIn(start, tz)).toBe(day);
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
