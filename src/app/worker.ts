import type { Trigger } from '../core/records.js';
import type { InboxItem, WorkClaim } from '../ledger/inbox.js';
import { LedgerError } from '../ledger/index.js';
import { jobFor, serialKey } from './dispatch.js';
import { RetryLater, type JobContext, type Payload } from './jobs/job.js';
import type { AppServices } from './services.js';

/** How soon a delivery whose repository another replica is working on is tried again. */
const CLAIM_RETRY_MS = 200;

/** A pending delivery as the worker holds it: its payload parsed once, and its serial key. */
type Queued = Omit<InboxItem, 'payloadJson'> & { payload: Payload; key: string };

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
 * - The pending deliveries are held in memory (the inbox is read in full on
 *   start and whenever `notify()` is called without an id), so the cost of a
 *   delivery does not grow with the backlog.
 * - Where replicas share the inbox (PostgreSQL), each delivery is processed
 *   under its repository's claim, by one replica, and the inbox is re-read
 *   every `claims.rescanMs` for work accepted by others or left by one that died.
 *
 * @example
 * const worker = new DeliveryWorker(services);
 * worker.start();            // replays what a crash left pending
 * worker.notify(deliveryId); // after each accepted delivery
 * await worker.idle();       // tests: everything due has been processed
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyKeys = new Set<string>();
  private readonly nextAttemptAt = new Map<string, number>();
  private readonly stalled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** Where replicas share the inbox: re-reads it for work other replicas accepted or left behind. */
  private rescanTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private waiters: Array<() => void> = [];
  /**
   * The inbox's pending deliveries, oldest first, each read and parsed once.
   * (Reading the whole inbox after every accepted and every finished delivery
   * cost O(backlog) per delivery: tens of ms each with a thousand waiting.)
   */
  private readonly queue = new Map<string, Queued>();
  /** Deliveries accepted since the last pump, to add to the queue. */
  private arrived: string[] = [];
  /** Read the whole inbox at the next pump (on start, or after work was stored without an id given). */
  private rescan = true;

  constructor(private readonly services: AppServices) {}

  start(): void {
    this.stopped = false;
    const claims = this.services.ledger.inbox.claims;
    if (claims && !this.rescanTimer) this.rescanTimer = setInterval(() => this.notify(), claims.rescanMs).unref();
    this.notify();
  }

  /**
   * Looks for work now: after `deliveryId` was accepted into the inbox, or,
   * without an id, after anything else was stored there (the inbox is read afresh).
   */
  notify(deliveryId?: string): void {
    if (deliveryId === undefined) this.rescan = true;
    else this.arrived.push(deliveryId);
    this.kick();
  }

  /** Schedules from the queue now, or once more when the scheduler is already running. */
  private kick(): void {
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
          this.kick();
        } else this.settle();
      });
  }

  /**
   * Resolves when nothing is running and nothing pending is due within
   * `horizonMs` (a retry after a short back-off counts; work queued for later,
   * such as an automatic re-evaluation, may still wait for its time).
   */
  async idle(horizonMs = 100): Promise<void> {
    this.notify(); // work may have been stored without an id given: read the inbox afresh
    for (;;) {
      if (!this.pumping && this.inFlight.size === 0 && !this.hasDueWork(horizonMs)) return;
      const woken = new Promise<void>((resolve) => this.waiters.push(resolve));
      this.kick();
      await Promise.race([woken, new Promise((r) => setTimeout(r, 10))]);
    }
  }

  /** Stops taking work and waits for what is running (up to `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = null;
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Deliveries given up on until the next recovery run or start (a job failed `maxAttempts` times for a reason other than the ledger). */
  stalledCount(): number {
    return this.stalled.size;
  }

  /**
   * Gives each delivery given up on one more attempt (the missed-webhook
   * recovery calls it on every run), so work that failed through a long
   * GitHub outage — such as a check run that could not be updated — is
   * finished once GitHub answers again, without waiting for a restart.
   */
  retryStalled(): number {
    const count = this.stalled.size;
    this.stalled.clear();
    if (count) this.notify();
    return count;
  }

  private async pump(): Promise<void> {
    try {
      if (this.rescan) {
        this.rescan = false;
        await this.readInbox();
      }
      for (const deliveryId of this.arrived.splice(0)) await this.enqueue(deliveryId);
    } catch (error) {
      this.rescan = true;
      throw error;
    }
    const now = Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const item of this.queue.values()) {
      if (this.inFlight.has(item.deliveryId) || this.stalled.has(item.deliveryId)) continue;
      const due = this.dueAt(item, item.payload);
      if (due > now) {
        earliest = Math.min(earliest, due);
        continue;
      }
      const { key } = item;
      if (this.busyKeys.has(key) || this.inFlight.size >= this.services.settings.concurrency) continue;
      this.busyKeys.add(key);
      const run = this.process(item, item.payload).finally(() => {
        this.busyKeys.delete(key);
        this.inFlight.delete(item.deliveryId);
        this.kick();
      });
      this.inFlight.set(item.deliveryId, run);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = Number.isFinite(earliest) && !this.stopped ? setTimeout(() => this.kick(), Math.max(0, earliest - now)).unref() : null;
  }

  /** Brings the queue in line with the inbox: adds what it lacks (in the inbox's order), drops what is no longer pending. */
  private async readInbox(): Promise<void> {
    const pending = await this.services.ledger.inbox.pendingIds();
    for (const deliveryId of pending) await this.enqueue(deliveryId);
    if (this.queue.size > pending.length) {
      const ids = new Set(pending);
      for (const deliveryId of this.queue.keys()) if (!ids.has(deliveryId) && !this.inFlight.has(deliveryId)) this.queue.delete(deliveryId);
    }
  }

  /** Adds a pending delivery to the queue, read and parsed once; nothing when it is queued already or no longer pending. */
  private async enqueue(deliveryId: string): Promise<void> {
    if (this.queue.has(deliveryId)) return;
    const item = await this.services.ledger.inbox.pendingItem(deliveryId);
    if (!item || this.queue.has(deliveryId)) return;
    const { payloadJson, ...rest } = item;
    const payload = JSON.parse(payloadJson) as Payload;
    this.queue.set(deliveryId, { ...rest, payload, key: serialKey(item.event, payload) });
  }

  private dueAt(item: Queued, payload: Payload): number {
    const notBefore = payload['changeproof']?.['notBefore'];
    const settle = item.event === 'push' ? Date.parse(item.acceptedAt) + this.services.settings.pushSettleMs : 0;
    return Math.max(notBefore ? Date.parse(notBefore) : 0, settle, this.nextAttemptAt.get(item.deliveryId) ?? 0);
  }

  /**
   * Processes one delivery. Where several replicas share the inbox, only
   * under the claim of its serial key (one repository at a time across all of
   * them), and only if it is still pending once the claim is held: the
   * replica that held the claim before may have completed it.
   */
  private async process(item: Queued, payload: Payload): Promise<void> {
    const { ledger, log } = this.services;
    const claims = ledger.inbox.claims;
    if (!claims) return this.processClaimed(item, payload);
    let claim: WorkClaim | null;
    try {
      claim = await claims.tryClaim(item.key);
      if (claim) {
        const current = await ledger.inbox.pendingItem(item.deliveryId).catch(async (error: unknown) => {
          await claim!.release().catch(() => undefined);
          throw error;
        });
        if (!current) {
          await claim.release();
          this.queue.delete(item.deliveryId);
          this.nextAttemptAt.delete(item.deliveryId);
          return;
        }
        // Attempts another replica made count too.
        item.attempts = current.attempts;
      }
    } catch (error) {
      log.warn({ err: error, delivery: item.deliveryId }, `could not claim delivery ${item.deliveryId}; retrying in 1 s`);
      this.nextAttemptAt.set(item.deliveryId, Date.now() + 1000);
      return;
    }
    if (!claim) {
      // Another replica is working on this repository: look again shortly.
      this.nextAttemptAt.set(item.deliveryId, Date.now() + CLAIM_RETRY_MS);
      return;
    }
    try {
      await this.processClaimed(item, payload);
    } finally {
      await claim.release().catch((error: unknown) => log.warn({ err: error }, 'could not release a work claim (it ends with the connection)'));
    }
  }

  private async processClaimed(item: Queued, payload: Payload): Promise<void> {
    const { ledger, log, settings } = this.services;
    const attempt = item.attempts + 1;
    try {
      const ctx = await this.contextFor(item, payload, attempt);
      const result = ctx ? await jobFor(item.event, payload)(ctx) : { entries: [] };
      const recorded = result.entries.length ? (await ledger.append(result.entries, { deliveryId: item.deliveryId })).entries : [];
      await result.act?.(recorded);
      for (const f of result.followUps ?? []) {
        await ledger.inbox.accept(f.deliveryId, f.event, JSON.stringify({ ...f.payload, changeproof: { ...f.payload['changeproof'], notBefore: f.notBefore.toISOString() } }));
        this.arrived.push(f.deliveryId);
      }
      await ledger.inbox.complete(item.deliveryId);
      this.nextAttemptAt.delete(item.deliveryId);
      this.queue.delete(item.deliveryId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ledger.inbox.fail(item.deliveryId, message).catch(() => undefined);
      item.attempts = attempt;
      item.lastError = message;
      // A ledger that cannot be written is waited out for as long as it lasts; an entry the
      // ledger refuses (not JSON, e.g. NaN from a malformed payload) never will be, so it is
      // retried like any other failure of the job.
      const forever = error instanceof LedgerError && error.code !== 'LEDGER_INVALID_ENTRY';
      if (!forever && !(error instanceof RetryLater) && attempt >= settings.maxAttempts) {
        this.stalled.add(item.deliveryId);
        log.error({ err: error, delivery: item.deliveryId, event: item.event }, `delivery ${item.deliveryId} (${item.event}) failed ${attempt} times; left in the inbox until the next recovery run or start`);
        return;
      }
      const delays = settings.retryDelaysMs;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
      this.nextAttemptAt.set(item.deliveryId, Date.now() + delay);
      log.warn({ delivery: item.deliveryId, event: item.event, attempt }, `delivery ${item.deliveryId} (${item.event}): ${message}; retrying in ${delay} ms`);
    }
  }

  private async contextFor(item: Queued, payload: Payload, attempt: number): Promise<JobContext | null> {
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

  private hasDueWork(horizonMs: number): boolean {
    const now = Date.now() + horizonMs;
    for (const item of this.queue.values()) {
      if (this.stalled.has(item.deliveryId)) continue;
      if (this.dueAt(item, item.payload) <= now) return true;
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
