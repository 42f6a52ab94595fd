import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { LedgerError } from './errors.js';
import { tightenMode } from './file-mode.js';

/** The Ed25519 key that signs checkpoints. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Lowercase hex SHA-256 of the public key's DER SubjectPublicKeyInfo. */
  keyId: string;
  /** Where the private key lives; null for an in-memory key. */
  path: string | null;
}

/** `data/ledger.db` → `data/ledger-signing-key.pem`, beside the ledger. */
export function defaultSigningKeyPath(ledgerPath: string): string {
  return join(dirname(ledgerPath), `${basename(ledgerPath, extname(ledgerPath))}-signing-key.pem`);
}

/** `…/x-signing-key.pem` → `…/x-signing-key.pub.pem`, written beside the private key. */
export function publicKeyPathFor(privateKeyPath: string): string {
  return privateKeyPath.replace(/(\.pem)?$/, '.pub.pem');
}

/** Key id: hex SHA-256 of the SPKI DER, so anyone can compute it from the published PEM. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** SPKI PEM of a public key. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * A verification key from PEM text: an SPKI public key, or a PKCS#8 private
 * key (its public half is used). Throws unless it is Ed25519.
 *
 * @example
 * const key = publicKeyFromPem(readFileSync('ledger-signing-key.pub.pem', 'utf8'));
 */
export function publicKeyFromPem(pem: string): KeyObject {
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  return key;
}

function fromPrivate(privateKey: KeyObject, path: string | null): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), path };
}

/** A fresh key that lives only in memory (for `:memory:` ledgers and tests). */
export function generateSigningKey(): SigningKey {
  return fromPrivate(generateKeyPairSync('ed25519').privateKey, null);
}

/**
 * Loads the private key at `path`; null when there is no file. A key readable
 * by others (an older version's, or copied in with a wide mode) is tightened
 * to 0600 where its owner may do so (not on a read-only mount).
 */
export function loadSigningKey(path: string): SigningKey | null {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
    tightenMode(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LedgerError('LEDGER_KEY_MISSING', `Cannot read the signing key ${path}: ${(error as Error).message}.`,
      'Make it readable by this process, or set CHANGEPROOF_SIGNING_KEY_PATH.', { cause: error });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new LedgerError('LEDGER_KEY_MISMATCH', `The signing key ${path} is not a PEM private key.`,
      'Restore the original key file, or point CHANGEPROOF_SIGNING_KEY_PATH at it.', { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new LedgerError('LEDGER_KEY_MISMATCH', `The signing key ${path} is ${privateKey.asymmetricKeyType}, not Ed25519.`,
      'Use an Ed25519 key (`openssl genpkey -algorithm ed25519`), or delete it on a new ledger to have one generated.');
  }
  return fromPrivate(privateKey, path);
}

/**
 * Creates an Ed25519 key at `path` (mode 0600) and its public key beside it,
 * unless another process got there first, in which case that key is loaded.
 * The key is written to a temporary file, flushed, then hard-linked into
 * place: link fails if the name exists, so two processes starting on a new
 * ledger end up with one key, and a crash never leaves a half-written key.
 */
export function createSigningKey(path: string): SigningKey {
  mkdirSync(dirname(path), { recursive: true });
  const key = fromPrivate(generateKeyPairSync('ed25519').privateKey, path);
  const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeDurably(temporary, pem, 0o600);
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = loadSigningKey(path);
    if (existing) return existing;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  writePublicKey(key);
  return key;
}

/**
 * Keeps `<key>.pub.pem` (mode 0644) equal to the key's public half: written
 * when missing, replaced when stale, so the CLI's "key beside the ledger" is
 * never an old one. Best effort: it can always be derived from the private key.
 */
export function writePublicKey(key: SigningKey): void {
  if (!key.path) return;
  const path = publicKeyPathFor(key.path);
  const pem = publicKeyPem(key.publicKey);
  try {
    if (existsSync(path) && readFileSync(path, 'utf8') === pem) return;
    const temporary = `${path}.${process.pid}.tmp`;
    writeDurably(temporary, pem, 0o644);
    renameSync(temporary, path);
  } catch {
    // A read-only folder: the public key is derived from the private one anyway.
  }
}

function writeDurably(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
