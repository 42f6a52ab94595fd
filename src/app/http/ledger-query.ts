import type { ReadQuery } from '../../ledger/index.js';

/** The parameters `GET /api/changeproof/ledger` accepts. */
export const LEDGER_QUERY_PARAMETERS = ['from', 'to', 'repo'] as const;

/** A query string the read API refuses (400), naming the parameter at fault. */
export class LedgerQueryError extends Error {
  constructor(readonly parameter: string | null, message: string) {
    super(message);
    this.name = 'LedgerQueryError';
  }
}

/**
 * Reads `from`, `to` and `repo` strictly: each at most once, nothing else,
 * real calendar times only (`2026-02-30` is refused, never rolled over into
 * March), and `from` not after `to`. `from` is inclusive and `to` exclusive;
 * a day (`YYYY-MM-DD`) is its midnight UTC; a time needs its zone (`Z` or
 * `±hh:mm`), since a time without one would mean the server's local time.
 *
 * @example
 * parseLedgerQuery(new URLSearchParams('from=2026-01-01&to=2026-04-01T00:00:00+02:00'))
 * // { from: '2026-01-01T00:00:00.000Z', to: '2026-03-31T22:00:00.000Z' }
 */
export function parseLedgerQuery(params: URLSearchParams): ReadQuery {
  const accepted: readonly string[] = LEDGER_QUERY_PARAMETERS;
  const keys = [...params.keys()];
  const unknown = [...new Set(keys.filter((k) => !accepted.includes(k)))];
  if (unknown.length) {
    throw new LedgerQueryError(unknown[0]!, `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the accepted parameters are from, to and repo`);
  }
  for (const key of accepted) {
    const count = keys.filter((k) => k === key).length;
    if (count > 1) throw new LedgerQueryError(key, `${key} is given ${count} times; give it at most once`);
  }
  const query: ReadQuery = {};
  const millis: { from?: number; to?: number } = {};
  for (const key of ['from', 'to'] as const) {
    const value = params.get(key);
    if (value === null) continue;
    millis[key] = parseInstant(key, value);
    query[key] = new Date(millis[key]).toISOString();
  }
  const repo = params.get('repo');
  if (repo !== null) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new LedgerQueryError('repo', `repo must be owner/name, got ${quote(repo)}`);
    query.repo = repo;
  }
  if (millis.from !== undefined && millis.to !== undefined && millis.from > millis.to) {
    throw new LedgerQueryError('from', `from (${query.from}) is after to (${query.to}); from is inclusive, to exclusive`);
  }
  return query;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An ISO-8601 day or time with zone, as milliseconds since the epoch; refuses any field out of its range. */
function parseInstant(key: string, value: string): number {
  const day = DAY.exec(value);
  const time = day ? null : TIME.exec(value);
  const fields = day ?? time;
  const expected = `${key} must be a day (YYYY-MM-DD) or a time with its zone (e.g. 2026-03-01T09:30:00Z or 2026-03-01T09:30:00+02:00), got ${quote(value)}`;
  if (!fields) throw new LedgerQueryError(key, expected);
  const [year, month, date] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  if (month < 1 || month > 12) throw new LedgerQueryError(key, `${key} has no month ${fields[2]}: ${quote(value)}`);
  if (date < 1 || date > daysIn(year, month)) throw new LedgerQueryError(key, `${key} names a day that does not exist: ${quote(value)} (${monthName(month)} ${year} has ${daysIn(year, month)} days)`);
  if (!time) return utc(key, value, year, month, date);
  const [hour, minute, second] = [Number(time[4]), Number(time[5]), Number(time[6] ?? 0)];
  const [offsetHours, offsetMinutes] = [Number(time[10] ?? 0), Number(time[11] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) throw new LedgerQueryError(key, `${key} names a time that does not exist: ${quote(value)} (hours 00–23, minutes and seconds 00–59)`);
  if (offsetHours > 23 || offsetMinutes > 59) throw new LedgerQueryError(key, `${key} has an impossible zone offset: ${quote(value)}`);
  const millis = Number((time[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = time[9] === '-' ? -1 : 1;
  return utc(key, value, year, month, date, hour, minute, second, millis) - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** Milliseconds since the epoch of a UTC calendar time; the ledger holds nothing before 1970. */
function utc(key: string, value: string, year: number, month: number, date: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  if (year < 1970) throw new LedgerQueryError(key, `${key} must be in 1970 or later, got ${quote(value)}`);
  return Date.UTC(year, month - 1, date, hour, minute, second, millis);
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function monthName(month: number): string {
  return new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
}

/** The value as the caller sent it, shortened: an error message never echoes a long parameter whole. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}
