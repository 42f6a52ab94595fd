import type { CliIo } from './command.js';

export interface Progress {
  /** Where the work is: a stage, how far it got, and its total when known. */
  update(stage: string, done: number, total?: number | null): void;
  /** Clears the terminal line (nothing to do elsewhere). */
  done(): void;
}

export interface ProgressOptions {
  /** The clock, in ms (tests). */
  now?: () => number;
  /** Outside a terminal: at most one line this often (default 5 s). */
  plainEveryMs?: number;
}

/**
 * Progress on stderr, with totals when they are known ("12,288 of 50,000
 * (24%)"). On a terminal: one line rewritten in place, at most ten times a
 * second. Elsewhere (CI logs, pipes): plain lines, prefixed with the command,
 * at most one every few seconds, so a log shows long work moving without
 * filling up; work shorter than that prints nothing.
 *
 * @example const progress = progressReporter(io, 'changeproof export'); progress.update('write population.csv (rows)', 8192, 50000);
 */
export function progressReporter(io: CliIo, prefix: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const every = io.stderr.isTTY ? 100 : (options.plainEveryMs ?? 5_000);
  let last = now();
  let shown = false;
  return {
    update(stage, done, total) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const text = `${stage}${done || total ? `: ${describeCount(done, total)}` : ''}`;
      if (io.stderr.isTTY) {
        shown = true;
        io.stderr.write(`\r\x1b[K${text}…`);
      } else {
        io.stderr.write(`${prefix}: ${text}\n`);
      }
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** `12,288 of 50,000 (24%)`, or `12,288` without a total. */
export function describeCount(done: number, total?: number | null): string {
  const n = (v: number) => v.toLocaleString('en-US');
  if (!total) return n(done);
  return `${n(done)} of ${n(total)} (${Math.floor((done / total) * 100)}%)`;
}
