import type { Ledger } from './ledger.js';

/**
 * Calls `checkpointIfDue()` every `everyMs` (default one minute), so the
 * ten-minute bound holds when no webhook arrives to trigger it. The timer is
 * unref'd: it never keeps a process alive. Errors go to `onError`.
 *
 * @example
 * const timer = scheduleCheckpoints(ledger, { onError: (e) => app.log.error(e) });
 * // on shutdown:
 * timer.stop(); await ledger.close();
 */
export function scheduleCheckpoints(
  ledger: Pick<Ledger, 'checkpointIfDue'>,
  options: { everyMs?: number; onError: (error: unknown) => void },
): { stop(): void } {
  const timer = setInterval(() => {
    ledger.checkpointIfDue().catch(options.onError);
  }, options.everyMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
