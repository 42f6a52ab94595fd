import type { Trigger } from '../core/records.js';
import type { InboxItem } from '../ledger/index.js';
import { LedgerError } from '../ledger/index.js';
import { jobFor, serialKey } from './dispatch.js';
import { RetryLater, type JobContext, type Payload } from './jobs/job.js';
import type { AppServices } from './services.js';

/**
 * Works through the durable inbox: every accepted delivery is processed until
 * it is recorded and acted on, across failures and restarts.
 *
 * - Deliveries about one repository run one at a time, in the order GitHub
 *   sent them; different repositories run in parallel up to `concurrency`.
 * - A failed attempt is retried with back-off. Jobs give up on GitHub only on
 *   the last attempt (and then record what could not be established); a ledger
 *   failure is retried for as long as it lasts — accepted work is never dropped.
 * - Work queued with a `notBefore` (automatic re-evaluations, pushes settling)
 *   waits for its time. Scheduling runs on the system clock, like the timers
 *   that drive it; the injected clock is for what is recorded.
 *
 * @example
 * const worker = new DeliveryWorker(services);
 * worker.start();            // replays what a crash left pending
 * worker.notify();           // after each accepted delivery
 * await worker.idle();       // tests: everything due has been processed
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyKeys = new Set<string>();
  private readonly nextAttemptAt = new Map<string, number>();
  private readonly stalled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly services: AppServices) {}

  start(): void {
    this.stopped = false;
    this.notify();
  }

  /** Looks for work now (after a delivery was accepted). */
  notify(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.services.log.error({ err: error }, 'could not read the inbox; retrying in 5 s'))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.notify();
        } else this.settle();
      });
  }

  /**
   * Resolves when nothing is running and nothing pending is due within
   * `horizonMs` (a retry after a short back-off counts; work queued for later,
   * such as an automatic re-evaluation, may still wait for its time).
   */
  async idle(horizonMs = 100): Promise<void> {
    for (;;) {
      if (!this.pumping && this.inFlight.size === 0 && !(await this.hasDueWork(horizonMs))) return;
      const woken = new Promise<void>((resolve) => this.waiters.push(resolve));
      this.notify();
      await Promise.race([woken, new Promise((r) => setTimeout(r, 10))]);
    }
  }

  /** Stops taking work and waits for what is running (up to `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Deliveries given up on until the next start (a job failed `maxAttempts` times for a reason other than the ledger). */
  stalledCount(): number {
    return this.stalled.size;
  }

  private async pump(): Promise<void> {
    const now = Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const item of await this.services.ledger.inbox.pending()) {
      if (this.inFlight.has(item.deliveryId) || this.stalled.has(item.deliveryId)) continue;
      const payload = JSON.parse(item.payloadJson) as Payload;
      const due = this.dueAt(item, payload);
      if (due > now) {
        earliest = Math.min(earliest, due);
        continue;
      }
      const key = serialKey(item.event, payload);
      if (this.busyKeys.has(key) || this.inFlight.size >= this.services.settings.concurrency) continue;
      this.busyKeys.add(key);
      const run = this.process(item, payload).finally(() => {
        this.busyKeys.delete(key);
        this.inFlight.delete(item.deliveryId);
        this.notify();
      });
      this.inFlight.set(item.deliveryId, run);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = Number.isFinite(earliest) && !this.stopped ? setTimeout(() => this.notify(), Math.max(0, earliest - now)).unref() : null;
  }

  private dueAt(item: InboxItem, payload: Payload): number {
    const notBefore = payload['changeproof']?.['notBefore'];
    const settle = item.event === 'push' ? Date.parse(item.acceptedAt) + this.services.settings.pushSettleMs : 0;
    return Math.max(notBefore ? Date.parse(notBefore) : 0, settle, this.nextAttemptAt.get(item.deliveryId) ?? 0);
  }

  private async process(item: InboxItem, payload: Payload): Promise<void> {
    const { ledger, log, settings } = this.services;
    const attempt = item.attempts + 1;
    try {
      const ctx = await this.contextFor(item, payload, attempt);
      const result = ctx ? await jobFor(item.event, payload)(ctx) : { entries: [] };
      const recorded = result.entries.length ? (await ledger.append(result.entries, { deliveryId: item.deliveryId })).entries : [];
      await result.act?.(recorded);
      for (const f of result.followUps ?? []) {
        await ledger.inbox.accept(f.deliveryId, f.event, JSON.stringify({ ...f.payload, changeproof: { ...f.payload['changeproof'], notBefore: f.notBefore.toISOString() } }));
      }
      await ledger.inbox.complete(item.deliveryId);
      this.nextAttemptAt.delete(item.deliveryId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ledger.inbox.fail(item.deliveryId, message).catch(() => undefined);
      const forever = error instanceof LedgerError;
      if (!forever && !(error instanceof RetryLater) && attempt >= settings.maxAttempts) {
        this.stalled.add(item.deliveryId);
        log.error({ err: error, delivery: item.deliveryId, event: item.event }, `delivery ${item.deliveryId} (${item.event}) failed ${attempt} times; left in the inbox until the next start`);
        return;
      }
      const delays = settings.retryDelaysMs;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
      this.nextAttemptAt.set(item.deliveryId, Date.now() + delay);
      log.warn({ delivery: item.deliveryId, event: item.event, attempt }, `delivery ${item.deliveryId} (${item.event}): ${message}; retrying in ${delay} ms`);
    }
  }

  private async contextFor(item: InboxItem, payload: Payload, attempt: number): Promise<JobContext | null> {
    const installationId = Number(payload['installation']?.['id']);
    if (!Number.isSafeInteger(installationId) || installationId <= 0) {
      this.services.log.warn({ delivery: item.deliveryId, event: item.event }, 'delivery without an installation: nothing to do');
      return null;
    }
    const trigger: Trigger = { event: item.event, action: payload['action'] ?? null, deliveryId: item.deliveryId, sender: payload['sender']?.['login'] ?? null };
    return {
      services: this.services,
      event: item.event,
      payload,
      trigger,
      octokit: await this.services.installationClient(installationId),
      receivedAt: new Date(item.acceptedAt),
      attempt,
      finalAttempt: attempt >= this.services.settings.maxAttempts,
    };
  }

  private async hasDueWork(horizonMs: number): Promise<boolean> {
    const now = Date.now() + horizonMs;
    for (const item of await this.services.ledger.inbox.pending()) {
      if (this.stalled.has(item.deliveryId)) continue;
      if (this.dueAt(item, JSON.parse(item.payloadJson) as Payload) <= now) return true;
    }
    return false;
  }

  private settle(): void {
    if (this.inFlight.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
