import { existsSync, readFileSync } from 'node:fs';
import { toLedgerError } from '../ledger/errors.js';
import { publicKeyPathFor, defaultSigningKeyPath } from '../ledger/signing-key.js';
import { openReadOnly } from '../ledger/sqlite-connection.js';
import { iterateStored } from '../ledger/sqlite-reader.js';
import type { LedgerSource } from './ledger-source.js';

/**
 * A SQLite ledger file, read-only and safe while the app appends to it: each
 * pass reads one snapshot, and a later pass is bounded to the first one's
 * head. The public key is the one published beside the signing key
 * (`CHANGEPROOF_SIGNING_KEY_PATH`, else beside the ledger). CLI only: the
 * Action must not bundle better-sqlite3.
 *
 * @example const source = sqliteSource('./data/ledger.db', process.env);
 */
export function sqliteSource(path: string, env: NodeJS.ProcessEnv = process.env): LedgerSource {
  const db = openReadOnly(path);
  return {
    description: path,
    *stored(toSeq?: number) {
      try {
        yield* iterateStored(db, toSeq === undefined ? {} : { toSeq });
      } catch (error) {
        throw toLedgerError(error, path, 'read');
      }
    },
    async publicKeyPem() {
      const keyPath = publicKeyPathFor(env['CHANGEPROOF_SIGNING_KEY_PATH'] || defaultSigningKeyPath(path));
      return existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : null;
    },
    async close() {
      db.close();
    },
  };
}
