import type { CheckFacts } from '../core/facts.js';

/** What this process last wrote to one check run, successfully. */
export interface PublishedCheckRun {
  /** GitHub's id of the run written (created or updated). */
  checkRunId: number;
  /** A digest of what the run shows (see `shownContentDigest` in publish-verdict.ts). */
  digest: string;
  status: CheckFacts['status'];
  /** `null` while not completed. */
  conclusion: CheckFacts['conclusion'];
  /** The `completed_at` sent, for a completed run. */
  completedAt: string | null;
}

/**
 * Remembers, per check run (repository, head SHA, name), what this process
 * last wrote to it, so that a re-evaluation reaching the same verdict skips a
 * write GitHub limits (content-creating requests: about 80 a minute and 500 an
 * hour, https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
 *
 * Memory alone is never trusted: a write is skipped only when GitHub, as just
 * read with the evaluation's evidence, still shows that very write (see
 * {@link stillShown}). A write that fails or may have failed is forgotten
 * before it is tried. Bounded, least recently used first out; lost on restart,
 * which costs one write per check run.
 *
 * @example
 * const published = new PublishedCheckRuns();
 * published.remember('acme/api@3f2a…#Change control (CC8.1)', { checkRunId: 7, digest, status: 'completed', conclusion: 'success', completedAt });
 */
export class PublishedCheckRuns {
  private readonly runs = new Map<string, PublishedCheckRun>();

  constructor(private readonly maxEntries = 10_000) {}

  last(key: string): PublishedCheckRun | undefined {
    const run = this.runs.get(key);
    if (run) {
      this.runs.delete(key);
      this.runs.set(key, run);
    }
    return run;
  }

  remember(key: string, run: PublishedCheckRun): void {
    this.runs.delete(key);
    this.runs.set(key, run);
    if (this.runs.size > this.maxEntries) this.runs.delete(this.runs.keys().next().value!);
  }

  forget(key: string): void {
    this.runs.delete(key);
  }
}

/**
 * Whether GitHub's latest run (as read with the evidence) is the run this
 * process last wrote, unchanged since: same id, status and conclusion, and for
 * a completed run the same completion time (to the second, GitHub's
 * precision). Another replica's later write to the run changes at least its
 * completion time, so it is never mistaken for ours.
 */
export function stillShown(remembered: PublishedCheckRun, latest: CheckFacts | null): boolean {
  if (!latest || latest.databaseId !== remembered.checkRunId) return false;
  if (latest.status !== remembered.status || latest.conclusion !== remembered.conclusion) return false;
  if (remembered.status !== 'completed') return true;
  return seconds(latest.at) === seconds(remembered.completedAt);
}

function seconds(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
