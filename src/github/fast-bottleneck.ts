import BottleneckLight from 'bottleneck/light.js';

/**
 * Makes Bottleneck's in-memory limiters hand a job on at once (a microtask)
 * instead of after `setTimeout(0)`.
 *
 * Why: @octokit/plugin-retry builds a Bottleneck per request and
 * @octokit/plugin-throttling puts each request through two more (its retry
 * limiter and the per-installation `global` group). Bottleneck's local store
 * yields with `setTimeout(0)` three times per job (submit, register, free) and
 * starts each job with `setTimeout(wait)` even when `wait` is 0; Node clamps
 * every one of those to at least 1 ms, so a request that `fetch` answers in
 * under 1 ms spent 15–18 ms waiting on a dozen timers (bench/octokit.ts). Moved
 * to `setImmediate` they cost little on an idle process but each still waits
 * behind all pending I/O, 4–7 ms a request in the app under load
 * (bench/webhooks.ts); as microtasks they cost microseconds. The worker yields
 * to pending I/O between deliveries instead (webhooks being acknowledged go
 * first), once per step rather than a dozen times per request.
 *
 * What is patched, and why it is safe: only `bottleneck/light.js` — the
 * dependency-free build that, in this dependency tree, the two Octokit plugins
 * and nothing else import (Probot's Redis clustering uses the main `bottleneck`
 * entry, a separate module, untouched). The retry plugin imports that build
 * directly and offers no option to replace it, so the change has to be made on
 * the module's classes; it touches two things and keeps their meaning:
 *   - the local store's `yieldLoop()`, with no wait (Bottleneck passes none):
 *     a resolved promise's turn instead of a timer; a non-zero wait still uses
 *     `setTimeout`;
 *   - `_run(index, job, wait)` when `wait` is 0 and the job has no expiration:
 *     the job starts in a microtask instead of a 1 ms timer. A positive wait —
 *     `minTime` spacing (the one-write-per-second limiter), a retry's back-off,
 *     a `retry-after` — still goes through the original `setTimeout` path, so
 *     every limit and delay is exactly as before. The one difference: `stop()`
 *     can no longer drop a job whose start was already due (it starts first);
 *     Octokit never stops its limiters. A job dropped before its turn is still
 *     not started.
 * If the module does not look like the Bottleneck 2 this was written against
 * (2.19.5, unchanged since 2019), nothing is patched and it returns false.
 * Idempotent.
 */
export function useMicrotaskYieldsInBottleneck(): boolean {
  const proto = BottleneckLight.prototype as unknown as BottleneckInternals;
  if (proto[PATCHED]) return true;
  if (typeof setImmediate !== 'function' || typeof proto._run !== 'function' || typeof proto._clearGlobalState !== 'function' || typeof proto._free !== 'function') return false;
  const probe = new BottleneckLight() as unknown as BottleneckInternals;
  const store = Object.getPrototypeOf(probe._store) as LocalStore | null;
  if (!store || typeof store.yieldLoop !== 'function' || typeof store.__register__ !== 'function') return false;

  const timerYield = store.yieldLoop;
  store.yieldLoop = function (this: LocalStore, t = 0) {
    return t > 0 ? timerYield.call(this, t) : new this.Promise<void>((resolve) => queueMicrotask(resolve));
  };

  const timerRun = proto._run;
  proto._run = function (this: BottleneckInternals, index, job, wait) {
    if (wait > 0 || job.options.expiration != null) return timerRun.call(this, index, job, wait);
    // The original's steps, with a microtask for setTimeout(…, 0) (light.js `Bottleneck.prototype._run`).
    job.doRun();
    const clearGlobalState = this._clearGlobalState.bind(this, index);
    const run = this._run.bind(this, index, job);
    const free = this._free.bind(this, index, job);
    this._scheduled[index] = {
      timeout: queueMicrotask(() => {
        if (this.jobStatus(job.options.id) == null) return; // dropped by stop() meanwhile
        void job.doExecute(this._limiter, clearGlobalState, run, free);
      }),
      expiration: undefined,
      job,
    };
  };
  proto[PATCHED] = true;
  return true;
}

const PATCHED = Symbol.for('changeproof.bottleneck-light.immediate-yields');

/** The parts of Bottleneck 2's internals used above (light.js). */
interface BottleneckJob {
  options: { id: string; expiration: number | null };
  doRun(): void;
  doExecute(chained: unknown, clearGlobalState: () => boolean, run: (wait: number) => void, free: (...args: unknown[]) => Promise<void>): Promise<void>;
}
interface BottleneckInternals {
  [PATCHED]?: boolean;
  _store: unknown;
  _limiter: unknown;
  _scheduled: Record<string, { timeout: unknown; expiration: unknown; job: BottleneckJob }>;
  _run(index: string, job: BottleneckJob, wait: number): void;
  _clearGlobalState(index: string): boolean;
  _free(index: string, job: BottleneckJob, ...args: unknown[]): Promise<void>;
  jobStatus(id: string): string | null;
}
interface LocalStore {
  Promise: PromiseConstructor;
  yieldLoop(t?: number): Promise<void>;
  __register__: unknown;
}
