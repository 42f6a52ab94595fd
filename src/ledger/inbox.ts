/** A webhook delivery accepted but not yet completed. */
export interface InboxItem {
  deliveryId: string;
  event: string;
  payloadJson: string;
  acceptedAt: string;
  attempts: number;
  lastError: string | null;
}

/** An inbox row as both backends store it. */
export interface InboxRow {
  delivery_id: string;
  event: string;
  payload: string;
  accepted_at: string;
  attempts: number;
  last_error: string | null;
}

/** A stored row as the {@link InboxItem} the worker takes. */
export function inboxItemOf(row: InboxRow): InboxItem {
  return { deliveryId: row.delivery_id, event: row.event, payloadJson: row.payload, acceptedAt: row.accepted_at, attempts: row.attempts, lastError: row.last_error };
}

export interface AcceptResult {
  /** True when this call stored the delivery; false for a redelivery already stored. */
  accepted: boolean;
  /** True when the delivery was already completed (nothing left to do). */
  completed: boolean;
}

/**
 * Durable inbox of accepted webhook deliveries (SPEC §3): the app answers 2xx
 * only after `accept` resolves, finishes the work, then calls `complete`; on
 * start it replays `pending()`. Not hash-chained: it is a work queue, the
 * evidence is the ledger.
 *
 * @example
 * const { completed } = await ledger.inbox.accept(id, 'pull_request', rawBody);
 * res.status(202).end();
 * if (!completed) { await handle(payload); await ledger.inbox.complete(id); }
 */
export interface Inbox {
  accept(deliveryId: string, event: string, payloadJson: string): Promise<AcceptResult>;
  /** Marks a delivery done and drops its payload; false if it was unknown or already complete. */
  complete(deliveryId: string): Promise<boolean>;
  /** Records a failed attempt (the delivery stays pending). */
  fail(deliveryId: string, error: string): Promise<void>;
  /** Pending deliveries, oldest first. */
  pending(): Promise<InboxItem[]>;
  /** The ids of the pending deliveries, oldest first (without reading their payloads). */
  pendingIds(): Promise<string[]>;
  /** One pending delivery; null when it is unknown or already completed. */
  pendingItem(deliveryId: string): Promise<InboxItem | null>;
  /** Present when several processes share this inbox: the worker claims work before doing it. */
  readonly claims?: WorkClaims;
}

/** A claim on one serial key (one repository's deliveries), held while a delivery is processed. */
export interface WorkClaim {
  /**
   * Whether this process still holds the claim, asked of the store itself. A
   * claim can end without a release (its database session cut): the work it
   * covered may then already be another process's, and nothing more of it
   * may be recorded or shown from here.
   */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Work sharing between processes that share one inbox: a delivery is
 * processed only under the claim of its serial key, and re-read once the
 * claim is held (another process may have completed it meanwhile).
 */
export interface WorkClaims {
  /** The claim on `key`, or null while another process holds it. */
  tryClaim(key: string): Promise<WorkClaim | null>;
  /** How often (ms) to re-read the inbox for work accepted or released by other processes. */
  readonly rescanMs: number;
}
