import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { EXPORT_FORMAT, exportDigestSignatureValid, exportStatementForDigest, signExportDigest } from '../ledger/export-signature.js';
import { keyIdOf, publicKeyFromPem, publicKeyPem } from '../ledger/signing-key.js';
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
  /** Base64 Ed25519 signature over {@link exportStatement}. */
  sign(manifestBytes: Buffer): Promise<string>;
}

/** A signer holding the ledger's private key (PKCS#8 PEM). */
export function keySigner(privateKeyPem: string): ExportSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKeyPem: publicKeyPem(publicKey),
    sign: async (bytes) => signExportDigest({ privateKey, publicKey, keyId, path: null }, manifestDigest(bytes)),
  };
}

export function exportSignatureValid(publicKey: KeyObject, manifestBytes: Buffer, signatureBase64: string): boolean {
  return exportDigestSignatureValid(publicKey, manifestDigest(manifestBytes), signatureBase64);
}

export interface AppSignerOptions {
  /** The app's base URL. */
  url: string;
  /** `CHANGEPROOF_API_TOKEN` of the app. */
  token: string;
  fetch?: typeof fetch;
}

/**
 * A signer that asks the app to sign (`POST /api/changeproof/export-signature`,
 * bearer token): the private key never leaves the app, and the ledger records
 * every export it signed. The public key is the one the app publishes.
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
    async sign(bytes) {
      const digest = manifestDigest(bytes);
      const response = await doFetch(`${base}/api/changeproof/export-signature`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ manifest_sha256: digest }),
      });
      const body = (await response.json().catch(() => ({}))) as { signature?: string; key_id?: string; error?: string };
      if (!response.ok || typeof body.signature !== 'string') {
        throw new Error(`the app did not sign the export (${response.status}${body.error ? `: ${body.error}` : ''})`);
      }
      if (body.key_id !== keyId || !exportDigestSignatureValid(publicKey, digest, body.signature)) {
        throw new Error('the app answered with a signature that does not verify with its published public key');
      }
      return body.signature;
    },
  };
}
