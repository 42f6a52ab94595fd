import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';
import { isDatabaseUrl } from './ledger-location.js';
import { defaultLedgerPath } from './ledger-path.js';
import type { PostgresLedgerOptions } from './postgres/postgres-ledger.js';
import { SqliteLedger, type SqliteLedgerOptions } from './sqlite-ledger.js';

export type OpenLedgerOptions = SqliteLedgerOptions & Pick<PostgresLedgerOptions, 'poolSize' | 'shareWork' | 'rescanMs'>;

/**
 * Opens the ledger at a location: a `postgres://` (or `postgresql://`) URL
 * opens the PostgreSQL ledger (the driver is loaded only then), anything
 * else is a SQLite file path.
 *
 * @example
 * const ledger = await openLedger(ledgerLocation(process.env), { env: process.env, shareWork: true });
 */
export async function openLedger(location: string, options: OpenLedgerOptions = {}): Promise<Ledger> {
  if (!isDatabaseUrl(location)) return SqliteLedger.open(location, options);
  const { PostgresLedger } = await import('./postgres/postgres-ledger.js');
  return PostgresLedger.open(location, options);
}

/** The app's ledger: `DATABASE_URL` when set (PostgreSQL), else `LEDGER_PATH` / `./data/ledger.db` (SQLite). */
export function ledgerLocation(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) return defaultLedgerPath(env);
  if (!isDatabaseUrl(url)) {
    throw new LedgerError('LEDGER_UNAVAILABLE', 'DATABASE_URL is set but is not a postgres:// URL.',
      'Set it to postgres://USER@HOST:5432/DATABASE, or unset it to use the SQLite ledger at LEDGER_PATH.');
  }
  return url;
}
