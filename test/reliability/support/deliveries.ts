import Database from 'better-sqlite3';
import { freshConnectionFetch, WEBHOOK_SECRET } from '../../support/app-harness.js';
import { postWebhook } from '../../support/webhooks.js';
import type { EntryKind, LedgerEntry } from '../../../src/ledger/index.js';
import { answeredDeliveries } from '../../../src/core/records.js';

/** One webhook delivery and the ledger entries it must leave (by kind). */
export interface Delivery {
  id: string;
  event: string;
  payload: object;
  expect: EntryKind[];
}

/** What posting one delivery came to. */
export type Outcome = { status: number } | { error: string };

/** Posts a correctly signed delivery on a fresh connection; a dropped connection is an outcome, not a throw. */
export async function post(webhookUrl: string, d: Delivery, options: { timeoutMs?: number } = {}): Promise<Outcome> {
  const timeout = new Promise<Outcome>((resolve) => setTimeout(() => resolve({ error: 'no answer in time' }), options.timeoutMs ?? 15_000).unref());
  const attempt = postWebhook(webhookUrl, d.event, d.payload, { secret: WEBHOOK_SECRET, deliveryId: d.id, fetch: freshConnectionFetch }).then(
    async (res): Promise<Outcome> => {
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status };
    },
    (error: unknown): Outcome => ({ error: (error as Error).message }),
  );
  return Promise.race([attempt, timeout]);
}

export const acknowledged = (o: Outcome) => 'status' in o && o.status >= 200 && o.status < 300;

/**
 * Entries of the ledger grouped by the delivery they answer: the one that
 * produced them (`data.trigger.deliveryId`) and, for an evaluation that
 * answered several, each delivery folded into it (`data.coalesced`).
 */
export function byDelivery(entries: Iterable<LedgerEntry>): Map<string, LedgerEntry[]> {
  const out = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    for (const id of answeredDeliveries(e.data)) out.set(id, [...(out.get(id) ?? []), e]);
  }
  return out;
}

/**
 * Whether a delivery is in the ledger exactly once: every kind it must leave
 * is there, and no entry twice (the same kind about the same subject), as a
 * delivery is recorded in one append.
 */
export function recordedOnce(d: Delivery, entries: LedgerEntry[] | undefined): boolean {
  if (!entries?.length) return false;
  const keys = entries.map((e) => `${e.kind} ${e.repo} ${e.subject}`);
  if (new Set(keys).size !== keys.length) return false;
  return d.expect.every((k) => entries.some((e) => e.kind === k));
}

/** Delivery ids the inbox ever stored (finished or not), read through a read-only connection beside the app's. */
export function inboxIds(ledgerPath: string): Set<string> {
  const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
  try {
    return new Set(db.prepare<[], { id: string }>('SELECT delivery_id AS id FROM inbox').all().map((r) => r.id));
  } finally {
    db.close();
  }
}
