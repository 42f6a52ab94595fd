import { sign, verify, type KeyObject } from 'node:crypto';
import { isHex64 } from './entry-text.js';
import type { SigningKey } from './signing-key.js';

/**
 * The ledger key also signs auditor exports (SPEC §5). Domain separation: the
 * signed bytes are `changeproof-export/v1\n<hex SHA-256 of manifest.json>\n`,
 * which is never the canonical JSON object a checkpoint signs, so neither
 * signature can pass for the other.
 */
export const EXPORT_FORMAT = 'changeproof-export/v1';

export function exportStatementForDigest(manifestSha256: string): Buffer {
  if (!isHex64(manifestSha256)) throw new Error(`not a lowercase hex SHA-256: ${JSON.stringify(manifestSha256).slice(0, 80)}`);
  return Buffer.from(`${EXPORT_FORMAT}\n${manifestSha256}\n`, 'utf8');
}

/** Base64 Ed25519 signature of an export manifest's digest. */
export function signExportDigest(key: SigningKey, manifestSha256: string): string {
  return sign(null, exportStatementForDigest(manifestSha256), key.privateKey).toString('base64');
}

export function exportDigestSignatureValid(publicKey: KeyObject, manifestSha256: string, signatureBase64: string): boolean {
  try {
    return verify(null, exportStatementForDigest(manifestSha256), publicKey, Buffer.from(signatureBase64.trim(), 'base64'));
  } catch {
    return false;
  }
}

/** `data` of an `export` entry: an auditor export the ledger key signed. */
export interface ExportSignedRecord {
  manifestSha256: string;
  keyId: string;
  signature: string;
  /** Who asked: the signing token's fingerprint, or the CLI with a local key (a token is never recorded). */
  requestedBy: string;
  /** Anything else the signer records: what the app re-derived before it signed, the period, the repositories. */
  [detail: string]: unknown;
}
