import { createReadStream } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { parseSignedCheckpoint, readCarriedKey } from './checkpoint.js';
import { parseEntryBody } from './entry-text.js';
import { toLedgerError } from './errors.js';
import { detectLedgerFormat } from './ledger-format.js';
import { readNdjsonLines } from './ndjson.js';
import { openReadOnly } from './sqlite-connection.js';

/** What one checkpoint says about its key: the id it names, and the public key it carries (if it does). */
export interface CheckpointKeyClaim {
  seq: number;
  keyId: string;
  /** Base64 SPKI DER; null for checkpoints written before they carried their key. */
  publicKey: string | null;
}

/** The key a ledger's checkpoints name, as {@link ledgerKeyFrom} judges their claims. */
export type LedgerKey =
  /** Every checkpoint names one key, and the newest that carries it (at `seq`) hashes to that id. */
  | { found: true; key: KeyObject; keyId: string; seq: number; checkpoints: number }
  /** No key can be named: `why` says which case. */
  | { found: false; why: 'no-checkpoint' | 'not-carried' | 'several-keys' | 'inconsistent'; message: string; keyIds: string[] };

/**
 * Every checkpoint's key claim in a ledger (SQLite, NDJSON or PostgreSQL), newest
 * first. Reads nothing but the file: never a key file, never the private key.
 *
 * @example
 * ledgerKeyFrom(await readCheckpointKeys('./data/ledger.db'))
 */
export async function readCheckpointKeys(path: string): Promise<CheckpointKeyClaim[]> {
  const claims: CheckpointKeyClaim[] = [];
  const add = (seq: unknown, data: unknown): void => {
    const checkpoint = parseSignedCheckpoint(data);
    if (checkpoint && typeof seq === 'number') claims.push({ seq, keyId: checkpoint.key_id, publicKey: checkpoint.public_key ?? null });
  };
  const format = await detectLedgerFormat(path);
  if (format === 'postgres') {
    const { readCheckpointKeysPg } = await import('./postgres/pg-read-only.js');
    return readCheckpointKeysPg(path);
  }
  if (format === 'ndjson') {
    for await (const line of readNdjsonLines(createReadStream(path))) {
      if (!line.text.includes(',"kind":"checkpoint"')) continue;
      const entry = parseJson(line.text) as { seq?: unknown; data?: unknown } | null;
      add(entry?.seq, entry?.data);
    }
    return claims.reverse();
  }
  const db = openReadOnly(path);
  try {
    // Served by the partial index of checkpoints.
    for (const row of db.prepare<[], { seq: number; body: string }>("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC").iterate()) {
      add(row.seq, parseEntryBody(row.body)?.data);
    }
  } catch (error) {
    throw toLedgerError(error, path, 'read');
  } finally {
    db.close();
  }
  return claims;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The ledger's own account of its key. A ledger is signed by one key, so
 * checkpoints naming different keys are refused without choosing one; so is
 * a checkpoint carrying a key that does not hash to the id it names.
 * Whatever is found is a claim, not trust: an auditor compares its id with
 * one obtained from the ledger's operator.
 */
export function ledgerKeyFrom(claims: readonly CheckpointKeyClaim[]): LedgerKey {
  const keyIds = [...new Set(claims.map((c) => c.keyId))];
  if (claims.length === 0) return { found: false, why: 'no-checkpoint', message: 'the ledger has no checkpoint yet', keyIds };
  if (keyIds.length > 1) {
    const named = keyIds.map((id) => `${id} (seq ${claims.filter((c) => c.keyId === id).map((c) => c.seq).reverse().join(', ')})`);
    return { found: false, why: 'several-keys', keyIds,
      message: `its checkpoints name ${keyIds.length} different keys: ${named.join('; ')}. A ledger is signed by one key, so it was altered or pieced together, and nothing in it says which key is right` };
  }
  let newest: { key: KeyObject; seq: number } | null = null;
  for (const claim of claims) {
    if (claim.publicKey === null) continue;
    const carried = readCarriedKey({ key_id: claim.keyId, public_key: claim.publicKey });
    if (!carried?.key) return { found: false, why: 'inconsistent', keyIds, message: `the checkpoint at seq ${claim.seq} contradicts itself: ${carried?.problem}` };
    newest ??= { key: carried.key, seq: claim.seq };
  }
  if (!newest) {
    return { found: false, why: 'not-carried', keyIds,
      message: `its checkpoints name key ${keyIds[0]} but do not carry it (they were written before checkpoints carried their key)` };
  }
  return { found: true, key: newest.key, keyId: keyIds[0]!, seq: newest.seq, checkpoints: claims.length };
}
