import { answeredDeliveries, type Trigger } from '../core/records.js';
import type { InboxItem, WorkClaim } from '../ledger/inbox.js';
import { LedgerError, type LedgerEntry } from '../ledger/index.js';
import { evaluateRequested, foldKey, jobFor, requestOf, serialKey } from './dispatch.js';
import { RetryLater, type Job, type JobContext, type Payload } from './jobs/job.js';
import type { AppServices } from './services.js';
import { REEVALUATE_EVENT } from './jobs/evaluate-pull-requests.js';
import { withholdVerdict, type Deferral } from './jobs/withhold-verdict.js';

/** How soon a delivery whose repository another replica is working on is tried again. */
const CLAIM_RETRY_MS = 200;

/** The claim on a serial key ended while its work ran (the claims' database session was cut). */
class ClaimLost extends Error {
  constructor(key: string) {
    super(`the claim on ${key} ended while its work ran (its database session was cut)`);
  }
}

/**
 * A pending delivery as the worker holds it: its payload parsed once, its
 * serial key, the key under which its re-evaluation may be folded with others
 * (null: processed on its own), and when this process first saw it (the
 * system clock: coalescing waits are scheduled on it).
 */
type Queued = Omit<InboxItem, 'payloadJson'> & { payload: Payload; key: string; fold: string | null; seenAt: number };

/** Deliveries processed together: one, or several re-evaluations folded into one (the last is the latest). */
type Batch = Queued[];

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
 * - Deliveries that only ask for a pull request to be re-evaluated (checks
 *   finishing, statuses, reviews, edits) are folded: those about the same
 *   head commit that arrive while one waits (`coalesceMs` after the latest,
 *   at most `coalesceMaxMs` after the first) or while an evaluation of the
 *   repository runs are answered by one evaluation, recorded with the latest
 *   as its trigger and the others as `coalesced`. Each folded delivery stays
 *   in the inbox until that evaluation is recorded and shown, so a crash
 *   replays it. A waiting re-evaluation never lets later work of its
 *   repository (a merge, a push) overtake it: it runs first.
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
  /** Re-evaluations waiting for their installation's rate limit to reset: until when (system clock), and why. */
  private readonly deferred = new Map<string, { until: number; installationId: number; deferral: Deferral }>();
  /** Heads whose shown verdict was withdrawn during the current deferral (withdrawn once). */
  private readonly withheld = new Set<string>();

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
    const batches = this.foldedBatches();
    const pressing = this.keysWithDueWork(now);
    for (const item of this.queue.values()) {
      if (this.inFlight.has(item.deliveryId) || this.stalled.has(item.deliveryId)) continue;
      let batch: Batch = [item];
      let due = this.dueAt(item, item.payload);
      if (item.fold !== null && batches) {
        const folded = batches.get(item.fold)!;
        if (folded[0] !== item) continue; // taken with the first of its batch
        batch = folded;
        const ready = Math.max(...batch.map((b) => this.dueAt(b, b.payload)));
        // Later work of the repository (a merge, a push) is due: the waiting re-evaluation runs first.
        due = pressing.has(item.key) ? ready : Math.max(ready, this.foldedDueAt(batch));
      }
      let withhold: Deferral | null = null;
      if (due <= now && isReevaluation(item)) {
        const deferral = this.deferral(item);
        if (deferral) {
          const until = Date.parse(deferral.resetsAt) + RESET_MARGIN_MS;
          for (const b of batch) this.deferred.set(b.deliveryId, { until, installationId: installationOf(b), deferral });
          due = until;
          if (item.fold !== null && !this.withheld.has(item.fold)) withhold = deferral;
        }
      }
      if (due > now && !withhold) {
        earliest = Math.min(earliest, due);
        continue;
      }
      const { key } = item;
      if (this.busyKeys.has(key) || this.inFlight.size >= this.services.settings.concurrency) continue;
      this.busyKeys.add(key);
      const run = (withhold ? this.withhold(batch, withhold) : this.process(batch)).finally(() => {
        this.busyKeys.delete(key);
        for (const b of batch) this.inFlight.delete(b.deliveryId);
        this.kick();
      });
      for (const b of batch) this.inFlight.set(b.deliveryId, run);
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
    this.queue.set(deliveryId, { ...rest, payload, key: serialKey(item.event, payload), fold: foldKey(item.event, payload, this.services.appId), seenAt: Date.now() });
  }

  private dueAt(item: Queued, payload: Payload): number {
    const notBefore = payload['changeproof']?.['notBefore'];
    const settle = item.event === 'push' ? Date.parse(item.acceptedAt) + this.services.settings.pushSettleMs : 0;
    return Math.max(notBefore ? Date.parse(notBefore) : 0, settle, this.nextAttemptAt.get(item.deliveryId) ?? 0, this.deferred.get(item.deliveryId)?.until ?? 0);
  }

  /** Why a re-evaluation must wait now: its installation has less than the reserve of a rate limit left. */
  private deferral(item: Queued): Deferral | null {
    const { rateLimits, settings } = this.services;
    return rateLimits?.nearLimit(installationOf(item), settings.rateLimitReserve, Date.now()) ?? null;
  }

  /**
   * Re-evaluations waiting for a rate limit to reset, by installation: how
   * many deliveries, until when, and the limit as GitHub last stated it.
   */
  deferredReevaluations(): Record<string, { deliveries: number; until: string; resource: string; remaining: number; limit: number }> {
    const now = Date.now();
    const report: Record<string, { deliveries: number; until: string; resource: string; remaining: number; limit: number }> = {};
    for (const [deliveryId, { until, installationId, deferral }] of this.deferred) {
      if (until <= now || !this.queue.has(deliveryId)) continue;
      const entry = (report[String(installationId)] ??= { deliveries: 0, until: new Date(until).toISOString(), resource: deferral.resource, remaining: deferral.remaining, limit: deferral.limit });
      entry.deliveries += 1;
    }
    return report;
  }

  /**
   * The first time a batch of re-evaluations is deferred: withdraws a passing
   * verdict shown on its head (see {@link withholdVerdict}); the batch then
   * waits for the reset. A failure to withdraw is logged, never retried
   * against a limit that is nearly spent.
   */
  private async withhold(batch: Batch, deferral: Deferral): Promise<void> {
    const { log, publishedCheckRuns, clock } = this.services;
    const item = batch[0]!;
    this.withheld.add(item.fold!);
    const at = item.fold!.lastIndexOf('@');
    log.warn({ delivery: batch.map((b) => b.deliveryId), installation: installationOf(item), ...deferral }, `${batch.length === 1 ? '1 re-evaluation' : `${batch.length} re-evaluations`} of ${item.fold} ${batch.length === 1 ? 'waits' : 'wait'} until ${deferral.resetsAt}: ${deferral.remaining} of ${deferral.limit} ${deferral.resource} left`);
    if (at < 0) return;
    try {
      const octokit = await this.services.installationClient(installationOf(item));
      const withdrawn = await withholdVerdict(octokit, item.fold!.slice(0, at), item.fold!.slice(at + 1), deferral, { published: publishedCheckRuns, now: clock, waiting: batch.length, appId: this.services.appId });
      if (withdrawn) log.warn({ fold: item.fold }, `passing verdict on ${item.fold} withdrawn until the re-evaluation runs`);
    } catch (error) {
      log.warn({ err: error, fold: item.fold }, `could not withdraw the verdict shown on ${item.fold}`);
    }
  }

  /**
   * The queued re-evaluations that can be folded, by fold key, oldest first;
   * null when coalescing is off. In-flight and stalled deliveries are left out:
   * what arrives while an evaluation runs is folded into the next one.
   */
  private foldedBatches(): Map<string, Batch> | null {
    if (this.services.settings.coalesceMs <= 0) return null;
    const batches = new Map<string, Batch>();
    for (const item of this.queue.values()) {
      if (item.fold === null || this.inFlight.has(item.deliveryId) || this.stalled.has(item.deliveryId)) continue;
      const batch = batches.get(item.fold);
      if (batch) batch.push(item);
      else batches.set(item.fold, [item]);
    }
    return batches;
  }

  /** When a folded batch has waited long enough: `coalesceMs` after its latest delivery, at most `coalesceMaxMs` after its first. */
  private foldedDueAt(batch: Batch): number {
    const { coalesceMs, coalesceMaxMs } = this.services.settings;
    const first = Math.min(...batch.map((b) => b.seenAt));
    const last = Math.max(...batch.map((b) => b.seenAt));
    return Math.min(last + coalesceMs, first + Math.max(coalesceMs, coalesceMaxMs));
  }

  /** Serial keys with a delivery that is due now and is not a foldable re-evaluation. */
  private keysWithDueWork(now: number): Set<string> {
    const keys = new Set<string>();
    if (this.services.settings.coalesceMs <= 0) return keys;
    for (const item of this.queue.values()) {
      if (item.fold !== null || this.inFlight.has(item.deliveryId) || this.stalled.has(item.deliveryId)) continue;
      if (this.dueAt(item, item.payload) <= now) keys.add(item.key);
    }
    return keys;
  }

  /**
   * Processes one delivery, or a batch of re-evaluations folded into one.
   * Where several replicas share the inbox, only under the claim of its serial
   * key (one repository at a time across all of them), and only what is still
   * pending once the claim is held: the replica that held the claim before
   * may have completed it.
   */
  private async process(batch: Batch): Promise<void> {
    const { ledger, log } = this.services;
    const claims = ledger.inbox.claims;
    if (!claims) return this.processClaimed(batch);
    const { key } = batch[0]!;
    let claim: WorkClaim | null;
    let current: Batch = [];
    try {
      claim = await claims.tryClaim(key);
      if (claim) {
        for (const item of batch) {
          const stored = await ledger.inbox.pendingItem(item.deliveryId).catch(async (error: unknown) => {
            await claim!.release().catch(() => undefined);
            throw error;
          });
          if (!stored) {
            this.queue.delete(item.deliveryId);
            this.nextAttemptAt.delete(item.deliveryId);
            continue;
          }
          // Attempts another replica made count too.
          item.attempts = stored.attempts;
          current.push(item);
        }
      }
    } catch (error) {
      log.warn({ err: error, delivery: batch[0]!.deliveryId }, `could not claim delivery ${batch[0]!.deliveryId}; retrying in 1 s`);
      for (const item of batch) this.nextAttemptAt.set(item.deliveryId, Date.now() + 1000);
      return;
    }
    if (!claim) {
      // Another replica is working on this repository: look again shortly.
      for (const item of batch) this.nextAttemptAt.set(item.deliveryId, Date.now() + CLAIM_RETRY_MS);
      return;
    }
    try {
      if (current.length) await this.processClaimed(current, claim);
    } finally {
      await claim.release().catch((error: unknown) => log.warn({ err: error }, 'could not release a work claim (it ends with the connection)'));
    }
  }

  /**
   * Runs the job, records its entries, acts on them, queues its follow-ups,
   * then completes the deliveries it answered.
   *
   * The entries are recorded under the id of the batch's oldest delivery,
   * which is completed last: a crash before every delivery is completed
   * leaves it pending, so the replay — whatever joined the batch since — finds
   * the entries already recorded, completes the deliveries they name as
   * answered, and leaves any newer one for an evaluation of its own. No
   * delivery is answered twice, none is dropped.
   */
  private async processClaimed(batch: Batch, claim?: WorkClaim): Promise<void> {
    const { ledger, log, settings } = this.services;
    const lead = batch[batch.length - 1]!;
    const oldest = batch[0]!;
    const attempt = Math.max(...batch.map((b) => b.attempts)) + 1;
    try {
      // Webhooks waiting to be acknowledged go first: they have GitHub's 10-second timeout, this work has none.
      await yieldToIntake();
      const ctx = await this.contextFor(lead, lead.payload, attempt);
      const job = batch.length > 1 ? foldedJob(batch) : jobFor(lead.event, lead.payload);
      const result = ctx ? await job(ctx) : { entries: [] };
      await yieldToIntake();
      const appended = result.entries.length ? await ledger.append(result.entries, { deliveryId: oldest.deliveryId }) : null;
      const recorded = appended?.entries ?? [];
      // Shown on GitHub only while the claim is still ours: one cut from under us may already
      // be another replica's, which replays the recorded entries and shows them itself.
      if (claim && result.act && !(await claim.held())) throw new ClaimLost(batch[0]!.key);
      await result.act?.(recorded);
      for (const f of result.followUps ?? []) {
        await ledger.inbox.accept(f.deliveryId, f.event, JSON.stringify({ ...f.payload, changeproof: { ...f.payload['changeproof'], notBefore: f.notBefore.toISOString() } }));
        this.arrived.push(f.deliveryId);
      }
      // A replay of a batch recorded before a crash: only what those entries answered is done.
      const answered = appended?.duplicate && batch.length > 1 ? answeredBy(recorded) : null;
      const done = answered ? batch.filter((b) => answered.has(b.deliveryId)) : batch;
      for (const item of done.length ? [...done.slice(1), done[0]!] : []) {
        await ledger.inbox.complete(item.deliveryId);
        this.nextAttemptAt.delete(item.deliveryId);
        this.deferred.delete(item.deliveryId);
        this.queue.delete(item.deliveryId);
      }
      if (lead.fold !== null) this.withheld.delete(lead.fold);
      if (batch.length > 1) log.debug({ delivery: lead.deliveryId, folded: done.length - 1 }, `one evaluation answered ${done.length} deliveries`);
    } catch (error) {
      if (error instanceof ClaimLost) {
        log.warn({ delivery: lead.deliveryId, event: lead.event }, `${error.message}; delivery ${batch.map((b) => b.deliveryId).join(', ')} is left to the replica that holds the claim now`);
        for (const item of batch) this.nextAttemptAt.set(item.deliveryId, Date.now() + CLAIM_RETRY_MS);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      for (const item of batch) {
        await ledger.inbox.fail(item.deliveryId, message).catch(() => undefined);
        item.attempts = Math.max(item.attempts + 1, attempt);
        item.lastError = message;
      }
      // A ledger that cannot be written is waited out for as long as it lasts; an entry the
      // ledger refuses (not JSON, e.g. NaN from a malformed payload) never will be, so it is
      // retried like any other failure of the job.
      const forever = error instanceof LedgerError && error.code !== 'LEDGER_INVALID_ENTRY';
      const ids = batch.map((b) => b.deliveryId).join(', ');
      if (!forever && !(error instanceof RetryLater) && attempt >= settings.maxAttempts) {
        for (const item of batch) this.stalled.add(item.deliveryId);
        log.error({ err: error, delivery: lead.deliveryId, event: lead.event }, `delivery ${ids} (${lead.event}) failed ${attempt} times; left in the inbox until the next recovery run or start`);
        return;
      }
      const delays = settings.retryDelaysMs;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
      for (const item of batch) this.nextAttemptAt.set(item.deliveryId, Date.now() + delay);
      log.warn({ delivery: lead.deliveryId, event: lead.event, attempt }, `delivery ${ids} (${lead.event}): ${message}; retrying in ${delay} ms`);
    }
  }

  private async contextFor(item: Queued, payload: Payload, attempt: number): Promise<JobContext | null> {
    const installationId = Number(payload['installation']?.['id']);
    if (!Number.isSafeInteger(installationId) || installationId <= 0) {
      this.services.log.warn({ delivery: item.deliveryId, event: item.event }, 'delivery without an installation: nothing to do');
      return null;
    }
    const trigger = triggerOf(item);
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

/** The deliveries recorded entries name as answered: their triggers, and the deliveries folded into them. */
function answeredBy(entries: readonly LedgerEntry[]): Set<string> {
  return new Set(entries.flatMap((e) => answeredDeliveries(e.data)));
}

/** Lets the event loop take pending I/O (webhooks being received and acknowledged) before the worker goes on. */
function yieldToIntake(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A little past GitHub's reset time, so the first request after it sees the new window. */
const RESET_MARGIN_MS = 1_000;

function installationOf(item: Queued): number {
  return Number(item.payload['installation']?.['id']);
}

/** Deliveries that only re-evaluate (folded or not, and the automatic retries): they may wait for a rate limit; merges, pushes and gates never do. */
function isReevaluation(item: Queued): boolean {
  return item.fold !== null || item.event === REEVALUATE_EVENT;
}

function triggerOf(item: Queued): Trigger {
  return { event: item.event, action: item.payload['action'] ?? null, deliveryId: item.deliveryId, sender: item.payload['sender']?.['login'] ?? null };
}

/** One evaluation answering every re-evaluation request of a batch (oldest first), run with the latest delivery's context. */
function foldedJob(batch: Batch): Job {
  return (leadCtx) => evaluateRequested(leadCtx, batch.map((item) => requestOf({ event: item.event, payload: item.payload, trigger: triggerOf(item) })));
}
