import { join } from 'node:path';
import type { Ledger } from '../../../src/ledger/ledger.js';
import { PostgresLedger, type PostgresLedgerOptions } from '../../../src/ledger/postgres/postgres-ledger.js';
import { generateSigningKey } from '../../../src/ledger/signing-key.js';
import { SqliteLedger, type SqliteLedgerOptions } from '../../../src/ledger/sqlite-ledger.js';
import { tempDir } from './ledger-fixture.js';
import { freshSchema, postgresUnavailable } from './postgres.js';

export type BackendOptions = SqliteLedgerOptions & PostgresLedgerOptions;

/**
 * One ledger implementation as the shared suites see it: `fresh()` names a
 * new empty ledger, `open()` opens (or reopens) one. Every suite in
 * test/ledger that states what a {@link Ledger} does runs once per backend.
 */
export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why this backend's tests are skipped, or null. */
  skip: string | null;
  fresh(): Promise<string>;
  open(location: string, options?: BackendOptions): Promise<Ledger>;
}

const sqlite: Backend = {
  name: 'sqlite',
  skip: null,
  fresh: async () => join(tempDir(), 'ledger.db'),
  open: async (location, options = {}) => SqliteLedger.open(location, options),
};

const postgres: Backend = {
  name: 'postgres',
  skip: await postgresUnavailable(),
  fresh: () => freshSchema(),
  // No key file unless one is named: a test that reopens a ledger passes its key or its key file.
  open: (location, options = {}) => PostgresLedger.open(location, {
    signingKey: options.signingKey ?? (options.signingKeyPath || options.env?.CHANGEPROOF_SIGNING_KEY_PATH ? undefined : generateSigningKey()),
    poolSize: 4,
    ...options,
  }),
};

if (postgres.skip) console.warn(`Skipping the PostgreSQL half of the ledger suites: ${postgres.skip}`);

/** Both backends, for `describe.each(BACKENDS)`. */
export const BACKENDS: readonly Backend[] = [sqlite, postgres];

/** Opens a fresh ledger on `backend`; collected for {@link closeAll}. */
export async function freshLedger(backend: Backend, options: BackendOptions = {}): Promise<Ledger> {
  const ledger = await backend.open(await backend.fresh(), options);
  opened.push(ledger);
  return ledger;
}

const opened: Ledger[] = [];

/** Closes every ledger {@link freshLedger} opened (afterEach). */
export async function closeAll(): Promise<void> {
  for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
}
