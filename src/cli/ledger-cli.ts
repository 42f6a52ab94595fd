import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { defaultLedgerPath } from '../ledger/ledger-path.js';
import { keyIdOf, publicKeyFromPem } from '../ledger/signing-key.js';
import type { CliIo } from './command.js';
import { UsageError } from './command.js';
import { progressReporter } from './progress.js';

/** `--ledger`, else `LEDGER_PATH`, else `./data/ledger.db`. */
export function ledgerPathFrom(value: string | undefined, io: CliIo): string {
  return value ?? defaultLedgerPath(io.env);
}

/**
 * The key the auditor trusts, as `verify` was given it. A key found beside
 * the ledger or inside it is never trust: whoever can rewrite the ledger can
 * replace it too.
 */
export interface TrustedKey {
  /** The public key itself: given with --public-key; null with --key-id (the checkpoints carry it) or nothing. */
  key: KeyObject | null;
  /** Its id (hex SHA-256 of the SPKI DER); null when nothing was given. */
  keyId: string | null;
  source: 'public-key-file' | 'key-id' | 'none';
  /** The --public-key file. */
  path: string | null;
}

/**
 * `--public-key FILE` and/or `--key-id HEX` as a {@link TrustedKey}; both
 * may be given only if they name the same key. Usage errors (exit 2) for an
 * unreadable file, a malformed id, or a conflict.
 */
export function resolveTrustedKey(publicKeyPath: string | undefined, keyIdText: string | undefined): TrustedKey {
  let keyId: string | null = null;
  if (keyIdText !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(keyIdText)) {
      throw new UsageError(`--key-id must be the key's id: 64 hex digits (the SHA-256 of its DER public key), got "${keyIdText}"`);
    }
    keyId = keyIdText.toLowerCase();
  }
  if (publicKeyPath === undefined) return { key: null, keyId, source: keyId === null ? 'none' : 'key-id', path: null };
  const read = readKey(publicKeyPath);
  if (keyId !== null && keyId !== read.keyId) {
    throw new UsageError(`--public-key ${publicKeyPath} is the key with id ${read.keyId}, but --key-id says ${keyId}: they name different keys`);
  }
  return { key: read.key, keyId: read.keyId, source: 'public-key-file', path: publicKeyPath };
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
 * Progress of a pass over the ledger on stderr: in place on a terminal, a
 * plain line every few seconds elsewhere (progress.ts); `done()` clears it.
 */
export function progressLine(io: CliIo, label: string, command = 'changeproof'): { update(count: number, total?: number | null): void; done(): void } {
  const progress = progressReporter(io, command);
  return {
    update: (count, total) => progress.update(`${label} (entries)`, count, total),
    done: () => progress.done(),
  };
}

/** The number of entries of a SQLite ledger file (its last seq), for progress totals; null when it cannot be read so. */
export async function sqliteEntryCount(path: string): Promise<number | null> {
  try {
    const { openReadOnly } = await import('../ledger/sqlite-connection.js');
    const db = openReadOnly(path);
    try {
      return (db.prepare('SELECT max(seq) AS n FROM entries').get() as { n: number | null }).n ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
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
