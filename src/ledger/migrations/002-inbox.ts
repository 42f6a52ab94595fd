import type { Migration } from './migration.js';

/**
 * Webhook deliveries accepted (answered 2xx) but maybe not yet finished.
 * Not hash-chained and mutable: it is a work queue, replayed after a crash.
 * A completed delivery keeps its row (for idempotency) but drops its payload.
 */
export const inbox: Migration = {
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
    ) STRICT;
    CREATE INDEX inbox_pending ON inbox (accepted_at) WHERE completed_at IS NULL;
  `,
};
