import { existsSync, readFileSync } from 'node:fs';
import type { LedgerSource } from '../../export/ledger-source.js';
import { ledgerKeyFrom, readCheckpointKeys } from '../checkpoint-keys.js';
import { splitEntryLine } from '../entry-text.js';
import type { Ledger } from '../ledger.js';
import { defaultLedgerPath } from '../ledger-path.js';
import { printableLocation } from '../ledger-location.js';
import { defaultSigningKeyPath, publicKeyPathFor, publicKeyPem } from '../signing-key.js';
import { checkPostgresSchema } from './pg-migrate.js';
import { createPool, toPgLedgerError } from './pg-pool.js';
import { iterateStoredPg } from './pg-reader.js';

/**
 * A PostgreSQL ledger as an export source (CLI only), read-only. Each pass
 * reads one snapshot; a later pass is bounded to what the first one saw by
 * `toSeq`. The public key is the one its checkpoints carry (a claim: the
 * export verifies it against the key the auditor trusts), else the public
 * key file of `CHANGEPROOF_SIGNING_KEY_PATH`.
 *
 * @example const source = await postgresSource('postgres://…/ledger', process.env);
 */
export async function postgresSource(url: string, env: NodeJS.ProcessEnv = process.env): Promise<LedgerSource> {
  const pool = await createPool(url, { max: 2 });
  try {
    await checkPostgresSchema(pool, url);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toPgLedgerError(error, url, 'read');
  }
  return {
    description: printableLocation(url),
    async *stored(toSeq?: number) {
      try {
        for await (const { body, hash } of iterateStoredPg(pool, toSeq === undefined ? {} : { toSeq })) yield { body, hash };
      } catch (error) {
        throw toPgLedgerError(error, url, 'read');
      }
    },
    async publicKeyPem() {
      const found = ledgerKeyFrom(await readCheckpointKeys(url));
      if (found.found) return publicKeyPem(found.key);
      const keyPath = publicKeyPathFor(env['CHANGEPROOF_SIGNING_KEY_PATH'] || defaultSigningKeyPath(defaultLedgerPath(env)));
      return existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : null;
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * The app's own (PostgreSQL) ledger as an export source bounded to `toSeq`,
 * for re-deriving an export before signing it: read through the ledger's
 * pool, one snapshot per pass, with the key the app signs with.
 */
export function openLedgerSource(ledger: Ledger, description: string, toSeq: number): LedgerSource {
  const bound = (seq?: number) => Math.min(seq ?? toSeq, toSeq);
  return {
    description,
    async *stored(seq?: number) {
      for await (const line of ledger.readLines({ toSeq: bound(seq) })) {
        const stored = splitEntryLine(line);
        if (stored) yield stored;
      }
    },
    publicKeyPem: async () => ledger.publicKeyPem(),
    close: async () => undefined,
  };
}
