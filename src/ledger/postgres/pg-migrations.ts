import type { Migration } from '../migrations/migration.js';

/**
 * The entries, the delivery index and the subject index, as in the SQLite
 * ledger (same tables, same columns, same meaning), with the database itself
 * refusing what the chain forbids:
 * - UPDATE, DELETE and TRUNCATE of the append-only tables raise an error
 *   (TRUNCATE skips row triggers, so it has a statement trigger of its own);
 * - an entry must follow the entry before it: seq N needs seq N−1 present and
 *   its body must name N−1's hash as `prev_hash`, so not even a writer that
 *   skipped the append lock could fork the chain or leave a gap.
 * A guard-rail, not proof: the table owner can drop triggers. The proof is
 * the hash chain and its signed checkpoints; docs/deploying.md gives the app
 * a role that cannot drop them.
 */
const entries: Migration = {
  version: 1,
  name: 'entries',
  sql: `
    CREATE TABLE entries (
      seq         BIGINT PRIMARY KEY CHECK (seq >= 1),
      recorded_at TEXT NOT NULL,
      kind        TEXT NOT NULL,
      repo        TEXT,
      hash        TEXT NOT NULL,
      body        TEXT NOT NULL
    );
    CREATE INDEX entries_by_repo ON entries (repo, seq);
    CREATE INDEX entries_checkpoints ON entries (seq) WHERE kind = 'checkpoint';

    CREATE FUNCTION changeproof_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'changeproof ledger % are append-only: % refused', TG_TABLE_NAME, TG_OP;
    END $$;

    -- Once per statement (a batch of entries costs one check, not one per row):
    -- every new entry's predecessor exists and is named as its prev_hash.
    CREATE FUNCTION changeproof_entries_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      bad BIGINT;
    BEGIN
      SELECT n.seq INTO bad FROM inserted n LEFT JOIN entries p ON p.seq = n.seq - 1
        WHERE n.seq > 1 AND p.seq IS NULL ORDER BY n.seq LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'changeproof ledger entries are a chain: seq % needs seq % before it', bad, bad - 1;
      END IF;
      SELECT n.seq INTO bad FROM inserted n LEFT JOIN entries p ON p.seq = n.seq - 1
        WHERE strpos(n.body, '"prev_hash":"' || COALESCE(p.hash, repeat('0', 64)) || '"') = 0 ORDER BY n.seq LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'changeproof ledger entries are a chain: seq % does not name the hash of seq % as prev_hash', bad, bad - 1;
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER entries_follow AFTER INSERT ON entries REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION changeproof_entries_follow();
    CREATE TRIGGER entries_refuse_change BEFORE UPDATE OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION changeproof_refuse_change();
    CREATE TRIGGER entries_refuse_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT EXECUTE FUNCTION changeproof_refuse_change();

    CREATE TABLE deliveries (
      delivery_id TEXT NOT NULL,
      seq         BIGINT NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (delivery_id, seq)
    );
    CREATE TRIGGER deliveries_refuse_change BEFORE UPDATE OR DELETE ON deliveries FOR EACH ROW EXECUTE FUNCTION changeproof_refuse_change();
    CREATE TRIGGER deliveries_refuse_truncate BEFORE TRUNCATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION changeproof_refuse_change();

    CREATE TABLE entry_subjects (
      repo    TEXT NOT NULL,
      subject TEXT NOT NULL,
      seq     BIGINT NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (repo, subject, seq)
    );
    CREATE TRIGGER entry_subjects_refuse_change BEFORE UPDATE OR DELETE ON entry_subjects FOR EACH ROW EXECUTE FUNCTION changeproof_refuse_change();
    CREATE TRIGGER entry_subjects_refuse_truncate BEFORE TRUNCATE ON entry_subjects FOR EACH STATEMENT EXECUTE FUNCTION changeproof_refuse_change();
  `,
};

/**
 * The durable inbox: a work queue, mutable, not evidence. A completed
 * delivery keeps its row (idempotency) and drops its payload.
 */
const inbox: Migration = {
  version: 2,
  name: 'inbox',
  sql: `
    CREATE TABLE inbox (
      delivery_id  TEXT PRIMARY KEY,
      event        TEXT NOT NULL,
      payload      TEXT,
      accepted_at  TEXT NOT NULL,
      completed_at TEXT,
      attempts     INTEGER NOT NULL DEFAULT 0,
      last_error   TEXT
    );
    CREATE INDEX inbox_pending ON inbox (accepted_at, delivery_id) WHERE completed_at IS NULL;
  `,
};

/**
 * An append in one round trip: takes the append lock, and writes the entries
 * only if the head is still the one the caller computed them on (and the
 * delivery is not recorded yet); otherwise writes nothing and says why, and
 * the caller takes the general path (lock, read the head, write). In READ
 * COMMITTED each statement of a VOLATILE function takes a fresh snapshot, so
 * the head is read after the lock is granted.
 */
const appendFunction: Migration = {
  version: 3,
  name: 'append function',
  sql: `
    CREATE FUNCTION changeproof_append(
      expected_seq BIGINT, expected_hash TEXT, delivery TEXT,
      e_seq BIGINT[], e_recorded_at TEXT[], e_kind TEXT[], e_repo TEXT[], e_hash TEXT[], e_body TEXT[],
      d_seq BIGINT[], s_repo TEXT[], s_subject TEXT[], s_seq BIGINT[]
    ) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      head_seq BIGINT;
      head_hash TEXT;
    BEGIN
      PERFORM pg_advisory_xact_lock(${0x43504c47}, 1);
      IF delivery IS NOT NULL AND EXISTS (SELECT 1 FROM deliveries WHERE delivery_id = delivery) THEN
        RETURN 'duplicate';
      END IF;
      SELECT seq, hash INTO head_seq, head_hash FROM entries ORDER BY seq DESC LIMIT 1;
      IF COALESCE(head_seq, 0) <> expected_seq OR COALESCE(head_hash, repeat('0', 64)) <> expected_hash THEN
        RETURN 'stale';
      END IF;
      INSERT INTO entries (seq, recorded_at, kind, repo, hash, body)
        SELECT * FROM unnest(e_seq, e_recorded_at, e_kind, e_repo, e_hash, e_body);
      IF delivery IS NOT NULL THEN
        INSERT INTO deliveries (delivery_id, seq) SELECT delivery, s FROM unnest(d_seq) AS s;
      END IF;
      INSERT INTO entry_subjects (repo, subject, seq) SELECT * FROM unnest(s_repo, s_subject, s_seq);
      RETURN 'appended';
    END $$;
  `,
};

/** Every PostgreSQL migration in order. Append new ones; never edit or reorder applied ones. */
export const PG_MIGRATIONS: readonly Migration[] = [entries, inbox, appendFunction];
