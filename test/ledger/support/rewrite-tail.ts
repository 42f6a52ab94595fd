import { canonicalJson } from '../../../src/ledger/canonical.js';
import { entryHash } from '../../../src/ledger/hash.js';
import type { Backend } from './backends.js';
import { tamperWith } from './ledger-fixture.js';
import { asSuperuser } from './postgres.js';
import { rewriteLedger } from './rewrite-ledger.js';

type Entry = Record<string, unknown>;

/**
 * Changes entry `seq` of a ledger on either backend as someone with write
 * access to the storage (not the key) can: with `rehash`, every hash from
 * there on is recomputed so the chain links again; without, only the body
 * changes (its stored hash no longer matches). Checkpoints are left as they are.
 */
export async function rewriteEntry(backend: Backend, location: string, seq: number, edit: (entry: Entry) => Entry, rehash = true): Promise<void> {
  if (backend.name === 'sqlite') {
    if (rehash) return rewriteLedger(location, { seq, entry: edit });
    const db = tamperWith(location);
    try {
      const row = db.prepare('SELECT body FROM entries WHERE seq = ?').get(seq) as { body: string };
      db.prepare('UPDATE entries SET body = ? WHERE seq = ?').run(canonicalJson(edit(JSON.parse(row.body) as Entry)), seq);
    } finally {
      db.close();
    }
    return;
  }
  await asSuperuser(location, async (client) => {
    await client.query('BEGIN; ALTER TABLE entries DISABLE TRIGGER entries_refuse_change');
    const { rows } = await client.query<{ seq: string; body: string; hash: string }>(
      'SELECT seq, body, hash FROM entries WHERE seq >= $1 ORDER BY seq', [seq - 1]);
    let prev = seq === 1 ? '0'.repeat(64) : rows.shift()!.hash;
    for (const row of rehash ? rows : rows.slice(0, 1)) {
      let entry = JSON.parse(row.body) as Entry;
      if (Number(row.seq) === seq) entry = edit(entry);
      if (rehash) entry = { ...entry, prev_hash: prev };
      const body = canonicalJson(entry);
      prev = rehash ? entryHash(prev, body) : row.hash;
      await client.query('UPDATE entries SET body = $1, hash = $2 WHERE seq = $3', [body, prev, row.seq]);
    }
    await client.query('ALTER TABLE entries ENABLE TRIGGER entries_refuse_change; COMMIT');
  });
}
