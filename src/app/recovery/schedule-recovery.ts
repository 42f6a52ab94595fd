import type { AppServices } from '../services.js';
import type { DeliveryWorker } from '../worker.js';
import { redeliverFailed, type RedeliveryReport } from './redeliver-failed.js';
import { sweepMerged, type SweepReport } from './sweep-merged.js';

/** GitHub keeps a delivery's log for three days. */
const DELIVERY_HISTORY_MS = 3 * 86_400_000;

export interface RecoveryRun {
  /** Deliveries the worker had given up on, given another attempt. */
  stalledRetried: number;
  redelivery: RedeliveryReport | { error: string };
  sweep: SweepReport | { error: string };
}

/**
 * Recovers missed webhooks on start and then every `recoveryIntervalMs`:
 * 0. gives the deliveries the worker gave up on (a long GitHub outage) another attempt;
 * 1. asks GitHub to redeliver failed deliveries of the last three days;
 * 2. sweeps every installation for merged pull requests without a change
 *    record (since the previous sweep, the first time `sweepLookbackMs` back)
 *    and queues them.
 * A failure of either step is logged and retried at the next run.
 *
 * @example const recovery = scheduleRecovery(services, worker); … recovery.stop();
 */
export function scheduleRecovery(services: AppServices, worker: DeliveryWorker): { runNow(): Promise<RecoveryRun>; stop(): void } {
  const { settings, clock, log } = services;
  let lastSweep = new Date(clock().getTime() - settings.sweepLookbackMs);
  let running: Promise<RecoveryRun> | null = null;

  const run = async (): Promise<RecoveryRun> => {
    const started = clock();
    const result: RecoveryRun = { stalledRetried: worker.retryStalled(), redelivery: { error: 'not run' }, sweep: { error: 'not run' } };
    try {
      result.redelivery = await redeliverFailed(await services.appClient(), { since: new Date(started.getTime() - DELIVERY_HISTORY_MS) });
    } catch (error) {
      result.redelivery = { error: (error as Error).message };
      log.warn({ err: error }, 'could not look for failed webhook deliveries; trying again at the next recovery run');
    }
    try {
      // Overlap the previous sweep by the settle time: merges younger than that were left to their webhook.
      const since = new Date(lastSweep.getTime() - settings.sweepSettleMs);
      result.sweep = await sweepMerged({ ledger: services.ledger, appClient: services.appClient, installationClient: services.installationClient, now: clock }, { since, settleMs: settings.sweepSettleMs });
      lastSweep = started;
      if (result.sweep.queued.length) worker.notify();
    } catch (error) {
      result.sweep = { error: (error as Error).message };
      log.warn({ err: error }, 'could not sweep for merges without a change record; trying again at the next recovery run');
    }
    log.info({ recovery: result }, 'missed-webhook recovery done');
    return result;
  };
  const runNow = () => (running ??= run().finally(() => (running = null)));

  const timers: NodeJS.Timeout[] = [];
  if (settings.recoveryIntervalMs > 0) {
    timers.push(setTimeout(() => void runNow(), settings.recoveryStartDelayMs).unref());
    timers.push(setInterval(() => void runNow(), settings.recoveryIntervalMs).unref());
  }
  return { runNow, stop: () => timers.forEach((t) => clearTimeout(t)) };
}
