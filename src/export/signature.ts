import { createHash, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { keyIdOf, publicKeyFromPem, publicKeyPem } from '../ledger/signing-key.js';

/**
 * The export's signature (SPEC §5): Ed25519 by the ledger key over
 * `changeproof-export/v1\n<hex SHA-256 of manifest.json>\n`. The statement
 * names what it signs, so an export signature can never pass for a ledger
 * checkpoint (whose signed statement is a JSON object) or the reverse.
 */
export const EXPORT_FORMAT = 'changeproof-export/v1';

export function exportStatement(manifestBytes: Buffer | string): Buffer {
  const digest = createHash('sha256').update(manifestBytes).digest('hex');
  return Buffer.from(`${EXPORT_FORMAT}\n${digest}\n`, 'utf8');
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
  const publicKey = publicKeyFromPem(privateKeyPem);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKeyPem(publicKey),
    sign: async (bytes) => sign(null, exportStatement(bytes), privateKey).toString('base64'),
  };
}

export function exportSignatureValid(publicKey: KeyObject, manifestBytes: Buffer, signatureBase64: string): boolean {
  try {
    return verify(null, exportStatement(manifestBytes), publicKey, Buffer.from(signatureBase64.trim(), 'base64'));
  } catch {
    return false;
  }
}
