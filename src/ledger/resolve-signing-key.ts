import { LedgerError } from './errors.js';
import {
  createSigningKey, defaultSigningKeyPath, generateSigningKey, loadSigningKey, writePublicKey, type SigningKey,
} from './signing-key.js';

export interface SigningKeyOptions {
  /** A key to use as is (tests, `:memory:`); takes precedence over any path. */
  signingKey?: SigningKey;
  /** Where the key lives; default `CHANGEPROOF_SIGNING_KEY_PATH`, else beside the ledger. */
  signingKeyPath?: string;
  /** Consulted for `CHANGEPROOF_SIGNING_KEY_PATH` (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The key a ledger signs with: the one given, else the file at
 * `signingKeyPath` / `CHANGEPROOF_SIGNING_KEY_PATH` / beside the ledger,
 * generated there on first use. `signedBy` is the key id of the ledger's
 * latest checkpoint: a ledger that already has checkpoints never silently
 * gets a new key, because its earlier checkpoints would then no longer
 * verify with the published public key.
 *
 * @example
 * resolveSigningKey('./data/ledger.db', { env: process.env }, null).path // '/…/data/ledger-signing-key.pem'
 */
export function resolveSigningKey(ledgerPath: string, options: SigningKeyOptions, signedBy: string | null): SigningKey {
  const path = options.signingKeyPath ?? ((options.env ?? process.env).CHANGEPROOF_SIGNING_KEY_PATH ||
    (ledgerPath === ':memory:' ? null : defaultSigningKeyPath(ledgerPath)));
  let key = options.signingKey ?? (path === null ? generateSigningKey() : loadSigningKey(path));
  if (key === null && path !== null) {
    if (signedBy !== null) {
      throw new LedgerError('LEDGER_KEY_MISSING',
        `The ledger's checkpoints are signed by key ${signedBy.slice(0, 16)}…, but there is no key at ${path}.`,
        'Restore that key file (or set CHANGEPROOF_SIGNING_KEY_PATH to it); a new key would break verification with the published public key.');
    }
    key = createSigningKey(path);
  }
  if (key === null) throw new Error('unreachable: no signing key');
  writePublicKey(key);
  if (signedBy !== null && signedBy !== key.keyId) {
    throw new LedgerError('LEDGER_KEY_MISMATCH',
      `The signing key ${key.path ?? '(in memory)'} (id ${key.keyId.slice(0, 16)}…) is not the key that signed this ledger (id ${signedBy.slice(0, 16)}…).`,
      'Point CHANGEPROOF_SIGNING_KEY_PATH at the original key; key rotation is not supported yet.');
  }
  return key;
}
