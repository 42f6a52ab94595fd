import { canonicalJson } from '../../../src/ledger/canonical.js';
import { signCheckpoint } from '../../../src/ledger/checkpoint.js';
import { readEntryHeader } from '../../../src/ledger/entry-text.js';
import { entryHash } from '../../../src/ledger/hash.js';
import type { SigningKey } from '../../../src/ledger/signing-key.js';
import { iterateStored, toLine } from '../../../src/ledger/sqlite-reader.js';
import { openReadOnly } from '../../../src/ledger/sqlite-connection.js';
import { tamperWith } from './ledger-fixture.js';

export interface Rewrite {
  /** The entry to change. */
  seq: number;
  /** Edits the entry's stored text (the hashed body) as raw text: the result need not be canonical. */
  text?: (body: string) => string;
  /** Or edits it as an object, written back in canonical form. */
  entry?: (entry: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Re-signs every later checkpoint with this key (the ledger's own, for a
   * change that only a non-conforming writer could make), as a careful
   * attacker with the key would; or with `(data) => data` rules of its own.
   */
  resign?: SigningKey | ((data: Record<string, unknown>, size: number, head: string) => Record<string, unknown>);
}

/**
 * Changes one entry of a SQLite ledger the way someone with write access to
 * the file can: the raw row is rewritten, and every hash from there on is
 * recomputed so the chain links again (the filter columns follow the body).
 * Later checkpoints are re-signed only if `resign` says how. With an
 * identity edit and the ledger's own key, the ledger stays valid: so a test
 * that fails after a rewrite fails for its edit alone.
 */
export function rewriteLedger(path: string, { seq, text, entry, resign }: Rewrite): void {
  const db = tamperWith(path);
  try {
    const rows = [...iterateStored(db)];
    const update = db.prepare('UPDATE entries SET hash = ?, body = ?, recorded_at = ?, kind = ?, repo = ? WHERE seq = ?');
    let prev = seq === 1 ? '0'.repeat(64) : rows[seq - 2]!.hash;
    for (const row of rows.slice(seq - 1)) {
      const rowSeq = readEntryHeader(row.body)?.seq ?? (JSON.parse(row.body) as { seq: number }).seq;
      let body: string;
      if (rowSeq === seq && text) {
        body = text(row.body);
      } else {
        let value: Record<string, unknown> = { ...(JSON.parse(row.body) as Record<string, unknown>), prev_hash: prev };
        if (rowSeq === seq && entry) value = entry(value);
        if (rowSeq !== seq && value.kind === 'checkpoint' && resign) {
          const data = value.data as Record<string, unknown>;
          value.data = typeof resign === 'function'
            ? resign(data, rowSeq - 1, prev)
            : signCheckpoint(resign, { size: rowSeq - 1, head_hash: prev, time: String(data.time) });
        }
        body = canonicalJson(value);
      }
      const header = JSON.parse(body) as { recorded_at: string; kind: string; repo: string | null; prev_hash: string };
      const hash = entryHash(header.prev_hash, body);
      update.run(hash, body, header.recorded_at, header.kind, header.repo, rowSeq);
      prev = hash;
    }
  } finally {
    db.close();
  }
}

/**
 * The ledger's entries as NDJSON lines: as exported, and for a body that is
 * not canonical, its text with the `hash` member put where a canonical line
 * has it (before `kind`), so the line still carries the right hash.
 */
export function exportLines(path: string): string[] {
  const db = openReadOnly(path);
  try {
    return [...iterateStored(db)].map(({ body, hash }) => {
      try {
        return toLine({ body, hash });
      } catch {
        const k = body.lastIndexOf(',"kind":');
        return k < 0 ? `{"hash":"${hash}",${body.slice(1)}` : `${body.slice(0, k)},"hash":"${hash}"${body.slice(k)}`;
      }
    });
  } finally {
    db.close();
  }
}
