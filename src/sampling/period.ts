/**
 * Observation periods: calendar days, inclusive, in a time zone (SPEC §1.2,
 * §4). An item belongs to the period by when it happened on GitHub; the
 * period's bounds are the UTC instants of its first midnight and of the
 * midnight after its last day.
 */
export interface ObservationPeriod {
  /** First day, `YYYY-MM-DD`, inclusive. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
  /** IANA time zone the days are counted in, e.g. `Europe/Paris`. */
  timeZone: string;
  /** UTC instant of `from` 00:00 in the time zone (inclusive). */
  start: string;
  /** UTC instant of the day after `to`, 00:00 in the time zone (exclusive). */
  end: string;
  /** Calendar days in the period. */
  days: number;
  /** How it was asked for: `2026-Q1`, `last-90-days`, or `from..to`. */
  label: string;
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A period from explicit days.
 *
 * @example periodFromDates('2026-01-01', '2026-03-31', 'UTC').days // 90
 */
export function periodFromDates(from: string, to: string, timeZone = 'UTC', label = `${from}..${to}`): ObservationPeriod {
  assertTimeZone(timeZone);
  const a = parseDay(from, 'from');
  const b = parseDay(to, 'to');
  if (b < a) throw new PeriodError(`the period ends (${to}) before it starts (${from})`);
  const days = Math.round((b - a) / 86_400_000) + 1;
  return {
    from,
    to,
    timeZone,
    start: zonedMidnight(from, timeZone),
    end: zonedMidnight(formatDay(b + 86_400_000), timeZone),
    days,
    label,
  };
}

/**
 * A named period: `2026` (the year), `2026-H1`/`H2`, `2026-Q1`…`Q4`,
 * `2026-03` (a month), or `last-N-days` (the N complete days before today in
 * the time zone; today is excluded because it is not over).
 *
 * @example parsePeriod('2026-Q1', 'UTC', now) // 2026-01-01 … 2026-03-31
 */
export function parsePeriod(name: string, timeZone = 'UTC', now: Date = new Date()): ObservationPeriod {
  const n = name.trim();
  let m: RegExpMatchArray | null;
  if ((m = n.match(/^(\d{4})$/))) return periodFromDates(`${m[1]}-01-01`, `${m[1]}-12-31`, timeZone, n);
  if ((m = n.match(/^(\d{4})-H([12])$/i))) {
    const [from, to] = m[2] === '1' ? ['01-01', '06-30'] : ['07-01', '12-31'];
    return periodFromDates(`${m[1]}-${from}`, `${m[1]}-${to}`, timeZone, n.toUpperCase());
  }
  if ((m = n.match(/^(\d{4})-Q([1-4])$/i))) {
    const q = Number(m[2]);
    const first = `${m[1]}-${String(q * 3 - 2).padStart(2, '0')}-01`;
    return periodFromDates(first, lastDayOfMonth(Number(m[1]), q * 3), timeZone, n.toUpperCase());
  }
  if ((m = n.match(/^(\d{4})-(\d{2})$/)) && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    return periodFromDates(`${m[1]}-${m[2]}-01`, lastDayOfMonth(Number(m[1]), Number(m[2])), timeZone, n);
  }
  if ((m = n.match(/^last-(\d{1,4})-days$/))) {
    const count = Number(m[1]);
    if (count < 1) throw new PeriodError('last-N-days needs N of at least 1');
    assertTimeZone(timeZone);
    const today = Date.parse(`${dayIn(now, timeZone)}T00:00:00Z`);
    return periodFromDates(formatDay(today - count * 86_400_000), formatDay(today - 86_400_000), timeZone, n);
  }
  throw new PeriodError(`unknown period "${name}": use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM or last-N-days (e.g. last-90-days)`);
}

/** Whether an ISO instant falls in the period. */
export function inPeriod(period: ObservationPeriod, iso: string): boolean {
  const t = Date.parse(iso);
  return t >= Date.parse(period.start) && t < Date.parse(period.end);
}

/**
 * The calendar day (`YYYY-MM-DD`) of an instant in a time zone. UTC is read
 * off the ISO form; other zones go through Intl, remembered per minute
 * (zone offsets change only on whole minutes), so a population of a million
 * items costs one lookup per distinct minute.
 */
export function dayIn(instant: Date | string, timeZone: string): string {
  const t = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return new Date(t).toISOString().slice(0, 10);
  const key = `${timeZone} ${Math.floor(t / 60_000)}`;
  let day = days.get(key);
  if (day === undefined) {
    const parts = formatter(timeZone).formatToParts(new Date(t));
    const get = (type: string) => parts.find((p) => p.type === type)!.value;
    day = `${get('year')}-${get('month')}-${get('day')}`;
    if (days.size >= 100_000) days.clear();
    days.set(key, day);
  }
  return day;
}

const days = new Map<string, string>();

/** The calendar month (`YYYY-MM`) of an instant in a time zone. */
export function monthIn(instant: Date | string, timeZone: string): string {
  return dayIn(instant, timeZone).slice(0, 7);
}

function parseDay(day: string, what: string): number {
  const m = day.match(DAY);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(t) || formatDay(t) !== day) throw new PeriodError(`--${what} "${day}" is not a calendar day (YYYY-MM-DD)`);
  return t;
}

function formatDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function lastDayOfMonth(year: number, month: number): string {
  return formatDay(Date.UTC(year, month, 0));
}

/**
 * The UTC instant at which `day` begins in `timeZone`: the first second whose
 * local date is `day`. Usually 00:00 local; where the clocks skip midnight
 * (a DST change at 00:00, as in Chile or Cuba) the day begins at the change,
 * 01:00 local, and the hour before it still belongs to the day before.
 * Found by bisection over the 27 hours any zone's midnight can fall in
 * (UTC−12 … UTC+14), since local dates only move forwards.
 */
function zonedMidnight(day: string, timeZone: string): string {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`) / 1000;
  let before = utcMidnight - 15 * 3600; // local time at most 23:00 the day before
  let from = utcMidnight + 13 * 3600; // local time at least 01:00 on the day
  while (from - before > 1) {
    const mid = Math.floor((before + from) / 2);
    if (localDay(mid * 1000, timeZone) >= day) from = mid;
    else before = mid;
  }
  return new Date(from * 1000).toISOString();
}

/** The local calendar day (YYYY-MM-DD) of an instant in `timeZone`. */
function localDay(t: number, timeZone: string): string {
  const parts = formatter(timeZone).formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new PeriodError(`unknown time zone "${timeZone}": use an IANA name such as UTC or Europe/Paris`);
  }
}
