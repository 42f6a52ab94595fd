import type { Migration } from './migration.js';

/**
 * An index of entries by what they are about (`repo`, `subject`), so the app
 * can find a pull request's recorded pushes, or whether a push or merge was
 * already recorded, without reading a repository's whole history. Like
 * `deliveries` it is derived from the hashed entries (the subject is a member
 * of each body), not evidence: written in the same transaction as the entry
 * it indexes, and append-only. Entries about no repository (checkpoints,
 * exports) are not indexed.
 */
export const subjects: Migration = {
  version: 3,
  name: 'subjects',
  sql: `
    CREATE TABLE entry_subjects (
      repo    TEXT NOT NULL,
      subject TEXT NOT NULL,
      seq     INTEGER NOT NULL REFERENCES entries (seq),
      PRIMARY KEY (repo, subject, seq)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO entry_subjects (repo, subject, seq)
      SELECT repo, json_extract(body, '$.subject'), seq FROM entries WHERE repo IS NOT NULL;
    CREATE TRIGGER entry_subjects_refuse_update BEFORE UPDATE ON entry_subjects
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger subject index is append-only: UPDATE refused'); END;
    CREATE TRIGGER entry_subjects_refuse_delete BEFORE DELETE ON entry_subjects
      BEGIN SELECT RAISE(ABORT, 'changeproof ledger subject index is append-only: DELETE refused'); END;
  `,
};
