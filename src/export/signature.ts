import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_FORMAT, exportDigestSignatureValid, exportStatementForDigest, signExportDigest } from '../ledger/export-signature.js';
import { keyIdOf, publicKeyFromPem, publicKeyPem, type SigningKey } from '../ledger/signing-key.js';
import { apiBase } from './ledger-source.js';

export { EXPORT_FORMAT };

/**
 * The export's signature (SPEC §5): Ed25519 by the ledger key over
 * `changeproof-export/v1\n<hex SHA-256 of manifest.json>\n`. The statement
 * names what it signs, so an export signature can never pass for a ledger
 * checkpoint (whose signed statement is a JSON object) or the reverse.
 */
export function manifestDigest(manifestBytes: Buffer | string): string {
  return createHash('sha256').update(manifestBytes).digest('hex');
}

export function exportStatement(manifestBytes: Buffer | string): Buffer {
  return exportStatementForDigest(manifestDigest(manifestBytes));
}

/** Signs the statement of a manifest; where the private key lives is the signer's business. */
export interface ExportSigner {
  keyId: string;
  publicKeyPem: string;
  /** Base64 Ed25519 signature over {@link exportStatement}; `packageDir` holds the rest of the package. */
  sign(manifestBytes: Buffer, packageDir: string): Promise<string>;
  /** The private key, for a signer that holds it here (the CLI records its export in a writable ledger with it). */
  local?: SigningKey;
}

/** A signer holding the ledger's private key (PKCS#8 PEM). */
export function keySigner(privateKeyPem: string): ExportSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const local: SigningKey = { privateKey, publicKey, keyId, path: null };
  return {
    keyId,
    publicKeyPem: publicKeyPem(publicKey),
    sign: async (bytes) => signExportDigest(local, manifestDigest(bytes)),
    local,
  };
}

export function exportSignatureValid(publicKey: KeyObject, manifestBytes: Buffer, signatureBase64: string): boolean {
  return exportDigestSignatureValid(publicKey, manifestDigest(manifestBytes), signatureBase64);
}

export interface AppSignerOptions {
  /** The app's base URL. */
  url: string;
  /** `CHANGEPROOF_SIGNING_TOKEN` of the app (not the read token). */
  token: string;
  fetch?: typeof fetch;
}

/** The app would not sign: what it said, and each difference it found between the export and its ledger. */
export class SigningRefusedError extends Error {
  override name = 'SigningRefusedError';
  constructor(message: string, readonly status: number, readonly differences: string[]) {
    super(message);
  }
}

/**
 * A signer that asks the app to sign (`POST /api/changeproof/export-signature`,
 * signing token): it sends the manifest and the selection, the app re-derives
 * the export from its own ledger and signs only when they agree. The private
 * key never leaves the app, and the ledger records every export it signed and
 * every one it refused. The public key is the one the app publishes.
 */
export async function appSigner(options: AppSignerOptions): Promise<ExportSigner> {
  const doFetch = options.fetch ?? fetch;
  const base = apiBase(options.url);
  const keyResponse = await doFetch(`${base}/api/changeproof/public-key`);
  if (!keyResponse.ok) throw new Error(`${base}/api/changeproof/public-key answered ${keyResponse.status}`);
  const pem = await keyResponse.text();
  const publicKey = publicKeyFromPem(pem);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKeyPem: publicKeyPem(publicKey),
    async sign(bytes, packageDir) {
      const digest = manifestDigest(bytes);
      const selection = await readFile(join(packageDir, 'selection.json'), 'utf8');
      const response = await doFetch(`${base}/api/changeproof/export-signature`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ manifest: bytes.toString('utf8'), selection }),
      });
      const body = (await response.json().catch(() => ({}))) as { signature?: string; key_id?: string; error?: string; differences?: string[] };
      if (!response.ok || typeof body.signature !== 'string') {
        const differences = Array.isArray(body.differences) ? body.differences.map(String) : [];
        const listed = differences.length ? `\n  - ${differences.slice(0, 20).join('\n  - ')}${differences.length > 20 ? `\n  … and ${differences.length - 20} more` : ''}` : '';
        throw new SigningRefusedError(`the app did not sign the export (HTTP ${response.status}${body.error ? `: ${body.error}` : ''})${listed}`, response.status, differences);
      }
      if (body.key_id !== keyId || !exportDigestSignatureValid(publicKey, digest, body.signature)) {
        throw new Error('the app answered with a signature that does not verify with its published public key');
      }
      return body.signature;
    },
  };
}
