import { resolve } from 'node:path';

/** SPEC §1.1: `LEDGER_PATH`, else `./data/ledger.db` (relative to the working directory). */
export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LEDGER_PATH || './data/ledger.db');
}
