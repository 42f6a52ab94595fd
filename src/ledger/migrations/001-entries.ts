import type { Migration } from './migration.js';

/**
 * The hash-chained entries and the delivery index. `body` is the exact text
 * hashed (canonical JSON without `hash`); `recorded_at`, `kind` and `repo`
 * repeat members of it only so reads can filter, and `verify` checks they
 * agree with it. Few indexes on purpose: every index is one more page written
 * per durable append. Times need none (recorded_at never decreases, so a time
 * bound is found by binary search on seq), and the checkpoint index is
 * partial, so ordinary entries never touch it.
 * Triggers refuse UPDATE and DELETE: a guard-rail against accidents, not
 * proof (whoever can write the file can drop them); the proof is the hash
 * chain anchored by signed checkpoints.
 */
export const entries: Migration = {
  version: 1,
  name: 'entries',
  sql: `
    CREATE TABLE entries (
      seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
      recorded_at TEXT NOT NULL,
      kind        TEXT NOT NULL,
      repo        TEXT,
      hash        TEXT NOT NULL,
      body        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX entries_by_repo ON entries (repo, seq);
    CREATE INDEX entries_checkpoints ON entries (seq) WHERE kind = 'checkpoint';
    CREATE TRIGGER entries_refuse_update BEFORE UPDATE ON entries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger entries are append-only: UPDATE refused'); END;
    CREATE TRIGGER entries_refuse_delete BEFORE DELETE ON entries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger entries are append-only: DELETE refused'); END;

    -- Which entries a webhook delivery produced: idempotency, not evidence,
    -- so it stays outside the hashed entry (which keeps SPEC §3's shape).
    CREATE TABLE deliveries (
      delivery_id TEXT NOT NULL,
      seq         INTEGER NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (delivery_id, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER deliveries_refuse_update BEFORE UPDATE ON deliveries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger deliveries are append-only: UPDATE refused'); END;
    CREATE TRIGGER deliveries_refuse_delete BEFORE DELETE ON deliveries
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger deliveries are append-only: DELETE refused'); END;
  `,
};
