/**
 * Where a ledger lives: a SQLite file path, or a PostgreSQL URL. This module
 * imports no driver, so commands can tell the two apart without loading one.
 *
 * @example
 * isDatabaseUrl('postgres://changeproof@db/ledger') // true
 * isDatabaseUrl('./data/ledger.db')                 // false
 */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The location as it may be printed: a URL without its password. */
export function printableLocation(location: string): string {
  if (!isDatabaseUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    url.search = '';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
