import type { Database, Statement } from 'better-sqlite3';
import { closedError, toLedgerError } from './errors.js';
import type { AcceptResult, Inbox, InboxItem } from './inbox.js';

interface InboxRow {
  delivery_id: string;
  event: string;
  payload: string;
  accepted_at: string;
  attempts: number;
  last_error: string | null;
}

/**
 * The {@link Inbox} in the ledger's SQLite file: same connection, same
 * durability (WAL, `synchronous=FULL`), its own table.
 *
 * @example
 * const inbox = new SqliteInbox(db, path, () => new Date());
 * await inbox.accept('72d3162e-…', 'pull_request', body);
 */
export class SqliteInbox implements Inbox {
  private readonly insert: Statement<[string, string, string, string]>;
  private readonly selectState: Statement<[string], { completed_at: string | null }>;
  private readonly markComplete: Statement<[string, string]>;
  private readonly markFailed: Statement<[string, string]>;
  private readonly selectPending: Statement<[], InboxRow>;

  constructor(
    private readonly db: Database,
    private readonly path: string,
    private readonly clock: () => Date,
  ) {
    this.insert = db.prepare(
      'INSERT INTO inbox (delivery_id, event, payload, accepted_at) VALUES (?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING',
    );
    this.selectState = db.prepare('SELECT completed_at FROM inbox WHERE delivery_id = ?');
    this.markComplete = db.prepare(
      'UPDATE inbox SET completed_at = ?, payload = NULL WHERE delivery_id = ? AND completed_at IS NULL',
    );
    this.markFailed = db.prepare(
      'UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE delivery_id = ? AND completed_at IS NULL',
    );
    this.selectPending = db.prepare(
      'SELECT delivery_id, event, payload, accepted_at, attempts, last_error FROM inbox WHERE completed_at IS NULL ORDER BY accepted_at, delivery_id',
    );
  }

  async accept(deliveryId: string, event: string, payloadJson: string): Promise<AcceptResult> {
    return this.guard('record a delivery in the inbox of', () => {
      const { changes } = this.insert.run(deliveryId, event, payloadJson, this.clock().toISOString());
      if (changes === 1) return { accepted: true, completed: false };
      return { accepted: false, completed: this.selectState.get(deliveryId)?.completed_at != null };
    });
  }

  async complete(deliveryId: string): Promise<boolean> {
    return this.guard('complete a delivery in the inbox of', () =>
      this.markComplete.run(this.clock().toISOString(), deliveryId).changes === 1);
  }

  async fail(deliveryId: string, error: string): Promise<void> {
    this.guard('record a failed delivery in the inbox of', () => this.markFailed.run(error.slice(0, 2000), deliveryId));
  }

  async pending(): Promise<InboxItem[]> {
    return this.guard('read the inbox of', () =>
      this.selectPending.all().map((row) => ({
        deliveryId: row.delivery_id,
        event: row.event,
        payloadJson: row.payload,
        acceptedAt: row.accepted_at,
        attempts: row.attempts,
        lastError: row.last_error,
      })));
  }

  private guard<T>(doing: string, work: () => T): T {
    if (!this.db.open) throw closedError(this.path);
    try {
      return work();
    } catch (error) {
      throw toLedgerError(error, this.path, doing);
    }
  }
}
