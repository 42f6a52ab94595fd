import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { defaultLedgerPath } from '../ledger/ledger-path.js';
import { defaultSigningKeyPath, keyIdOf, publicKeyFromPem, publicKeyPathFor } from '../ledger/signing-key.js';
import type { CliIo } from './command.js';
import { UsageError } from './command.js';

/** `--ledger`, else `LEDGER_PATH`, else `./data/ledger.db`. */
export function ledgerPathFrom(value: string | undefined, io: CliIo): string {
  return value ?? defaultLedgerPath(io.env);
}

/** Where a verification key came from, said plainly in the output. */
export interface ResolvedPublicKey {
  key: KeyObject;
  keyId: string;
  path: string;
  /** `given`: --public-key; `beside`: found next to the ledger (proves less). */
  source: 'given' | 'beside';
}

/**
 * The key to verify with: `--public-key`, else the key file beside a SQLite
 * ledger (its `.pub.pem`, or the private key's public half). NDJSON has no
 * "beside": it needs the published key.
 */
export function resolvePublicKey(given: string | undefined, ledgerPath: string, isSqlite: boolean): ResolvedPublicKey {
  if (given !== undefined) return { ...readKey(given), path: given, source: 'given' };
  if (isSqlite) {
    const privatePath = defaultSigningKeyPath(ledgerPath);
    for (const path of [publicKeyPathFor(privatePath), privatePath]) {
      if (existsSync(path)) return { ...readKey(path), path, source: 'beside' };
    }
  }
  throw new UsageError(
    `no public key: pass --public-key FILE.pem (the ledger's published public key${isSqlite ? `; none found beside ${ledgerPath}` : ''})`);
}

function readKey(path: string): { key: KeyObject; keyId: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the public key ${path}: ${(error as Error).message}`);
  }
  try {
    const key = publicKeyFromPem(pem);
    return { key, keyId: keyIdOf(key) };
  } catch (error) {
    throw new UsageError(`${path} is not an Ed25519 key in PEM form (${(error as Error).message})`);
  }
}

/**
 * A progress line on stderr, only when stderr is a terminal (CI logs and
 * pipes stay clean); `done()` clears it.
 */
export function progressLine(io: CliIo, label: string): { update(count: number): void; done(): void } {
  if (!io.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    update(count) {
      shown = true;
      io.stderr.write(`\r${label} ${count.toLocaleString('en-US')} entries…`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/** A whole number ≥ 1 from an option, or a usage error naming it. */
export function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number ≥ 1, got "${value}"`);
  return n;
}

/** `parseArgs` (strict, no positionals) with its errors turned into usage errors (exit 2). */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `1 entry`, `2 entries`. */
export function count(value: number, one: string, many: string): string {
  return `${value.toLocaleString('en-US')} ${value === 1 ? one : many}`;
}
