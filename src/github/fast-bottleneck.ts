import BottleneckLight from 'bottleneck/light.js';

/**
 * Makes Bottleneck's in-memory limiters hand a job on with `setImmediate`
 * instead of `setTimeout(0)`.
 *
 * Why: @octokit/plugin-retry builds a Bottleneck per request and
 * @octokit/plugin-throttling puts each request through two more (its retry
 * limiter and the per-installation `global` group). Bottleneck's local store
 * yields to the event loop with `setTimeout(0)` three times per job (submit,
 * register, free) and starts each job with `setTimeout(wait)` even when `wait`
 * is 0; Node clamps every one of those to at least 1 ms, so a request that
 * `fetch` answers in under 1 ms spent 15–18 ms waiting on 12 timers
 * (bench/octokit.ts). With `setImmediate` the same steps cost microseconds.
 *
 * What is patched, and why it is safe: only `bottleneck/light.js` — the
 * dependency-free build that, in this dependency tree, the two Octokit plugins
 * and nothing else import (Probot's Redis clustering uses the main `bottleneck`
 * entry, a separate module, untouched). The retry plugin imports that build
 * directly and offers no option to replace it, so the change has to be made on
 * the module's classes; it touches two things and keeps their meaning:
 *   - the local store's `yieldLoop()`: still a macrotask (the job still waits
 *     for pending I/O callbacks, as with the timer), just without the 1 ms clamp;
 *     a non-zero wait (Bottleneck passes none) still uses `setTimeout`;
 *   - `_run(index, job, wait)` when `wait` is 0 and the job has no expiration:
 *     the job starts on the next `setImmediate` instead of a 1 ms timer. A
 *     positive wait — `minTime` spacing (the one-write-per-second limiter), a
 *     retry's back-off, a `retry-after` — still goes through the original
 *     `setTimeout` path, so every limit and delay is exactly as before. A job
 *     dropped by `stop()` before its turn is not started (`clearTimeout`, which
 *     `stop()` calls, does not cancel an immediate).
 * If the module does not look like the Bottleneck 2 this was written against
 * (2.19.5, unchanged since 2019), nothing is patched and it returns false.
 * Idempotent.
 */
export function useImmediateYieldsInBottleneck(): boolean {
  const proto = BottleneckLight.prototype as unknown as BottleneckInternals;
  if (proto[PATCHED]) return true;
  if (typeof setImmediate !== 'function' || typeof proto._run !== 'function' || typeof proto._clearGlobalState !== 'function' || typeof proto._free !== 'function') return false;
  const probe = new BottleneckLight() as unknown as BottleneckInternals;
  const store = Object.getPrototypeOf(probe._store) as LocalStore | null;
  if (!store || typeof store.yieldLoop !== 'function' || typeof store.__register__ !== 'function') return false;

  const timerYield = store.yieldLoop;
  store.yieldLoop = function (this: LocalStore, t = 0) {
    return t > 0 ? timerYield.call(this, t) : new this.Promise<void>((resolve) => setImmediate(resolve));
  };

  const timerRun = proto._run;
  proto._run = function (this: BottleneckInternals, index, job, wait) {
    if (wait > 0 || job.options.expiration != null) return timerRun.call(this, index, job, wait);
    // The original's steps, with setImmediate for setTimeout(…, 0) (light.js `Bottleneck.prototype._run`).
    job.doRun();
    const clearGlobalState = this._clearGlobalState.bind(this, index);
    const run = this._run.bind(this, index, job);
    const free = this._free.bind(this, index, job);
    this._scheduled[index] = {
      timeout: setImmediate(() => {
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
