import type { Pool } from 'pg';
import { inboxItemOf, type AcceptResult, type Inbox, type InboxItem, type InboxRow, type WorkClaims } from '../inbox.js';
import { toPgLedgerError } from './pg-pool.js';


const COLUMNS = 'delivery_id, event, payload, accepted_at, attempts, last_error';

/**
 * The {@link Inbox} in the ledger's PostgreSQL database, shared by every
 * replica: whichever replica GitHub reached stores the delivery (committed,
 * so durable, before its 2xx), and any replica may process it. `claims`
 * makes sure only one does (see pg-work-claims.ts).
 *
 * @example
 * const { completed } = await inbox.accept('72d3162e-…', 'pull_request', body);
 */
export class PgInbox implements Inbox {
  constructor(
    private readonly pool: Pool,
    private readonly url: string,
    private readonly clock: () => Date,
    readonly claims?: WorkClaims,
  ) {}

  async accept(deliveryId: string, event: string, payloadJson: string): Promise<AcceptResult> {
    // One statement: the insert, or (for a redelivery) the state of the row
    // already there; the sub-select's snapshot predates the insert, so a new
    // row reads as not completed.
    const { rows } = await this.run('record a delivery in the inbox of', () => this.pool.query<{ accepted: boolean; completed: boolean | null }>(
      `WITH ins AS (
         INSERT INTO inbox (delivery_id, event, payload, accepted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (delivery_id) DO NOTHING RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM ins) AS accepted,
              (SELECT completed_at IS NOT NULL FROM inbox WHERE delivery_id = $1) AS completed`,
      [deliveryId, event, payloadJson, this.clock().toISOString()]));
    const row = rows[0]!;
    return { accepted: row.accepted, completed: !row.accepted && row.completed === true };
  }

  async complete(deliveryId: string): Promise<boolean> {
    const result = await this.run('complete a delivery in the inbox of', () => this.pool.query(
      'UPDATE inbox SET completed_at = $1, payload = NULL WHERE delivery_id = $2 AND completed_at IS NULL', [this.clock().toISOString(), deliveryId]));
    return result.rowCount === 1;
  }

  async fail(deliveryId: string, error: string): Promise<void> {
    await this.run('record a failed delivery in the inbox of', () => this.pool.query(
      'UPDATE inbox SET attempts = attempts + 1, last_error = $1 WHERE delivery_id = $2 AND completed_at IS NULL', [error.slice(0, 2000), deliveryId]));
  }

  async pending(): Promise<InboxItem[]> {
    const { rows } = await this.run('read the inbox of', () => this.pool.query<InboxRow>(
      `SELECT ${COLUMNS} FROM inbox WHERE completed_at IS NULL ORDER BY accepted_at, delivery_id`));
    return rows.map(inboxItemOf);
  }

  async pendingIds(): Promise<string[]> {
    const { rows } = await this.run('read the inbox of', () => this.pool.query<{ delivery_id: string }>(
      'SELECT delivery_id FROM inbox WHERE completed_at IS NULL ORDER BY accepted_at, delivery_id'));
    return rows.map((r) => r.delivery_id);
  }

  async pendingItem(deliveryId: string): Promise<InboxItem | null> {
    const { rows } = await this.run('read the inbox of', () => this.pool.query<InboxRow>(
      `SELECT ${COLUMNS} FROM inbox WHERE delivery_id = $1 AND completed_at IS NULL`, [deliveryId]));
    return rows[0] ? inboxItemOf(rows[0]) : null;
  }

  private async run<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toPgLedgerError(error, this.url, doing);
    }
  }
}

