import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll } from 'vitest';

/** What one reliability test file measured. Every counter starts at 0. */
export interface Figures {
  /** Webhook deliveries posted to the app (bad signatures and duplicates included). */
  sent: number;
  /** Deliveries the app answered with a 2xx. */
  acknowledged: number;
  /** Acknowledged deliveries found in the ledger afterwards (their entries, exactly once). */
  recorded: number;
  /** Acknowledged deliveries missing from the ledger (must be 0). */
  lost: number;
  /** Deliveries the app refused (4xx for bad input, 5xx when the ledger could not take them). */
  refused: number;
  /** Faults the GitHub simulator or the disk served. */
  faultsInjected: number;
  /** A `compliant` verdict or a success check run that the facts did not establish (must be 0). */
  falseSuccesses: number;
  /** Fuzzed payloads or policy files tried. */
  fuzzCases: number;
  /** Process crashes, unhandled rejections, wedged queues or 5xx answers to bad input (must be 0). */
  crashes: number;
  /** SIGKILLs of the app after which every acknowledged delivery was recorded. */
  killsSurvived: number;
}

/**
 * True under `npm run test:reliability` (its config sets CHANGEPROOF_RELIABILITY=1).
 * `npm test` matches these files too; there they are skipped.
 */
export const RELIABILITY = process.env['CHANGEPROOF_RELIABILITY'] === '1';

const ORDER: Array<keyof Figures> = ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'faultsInjected', 'falseSuccesses', 'fuzzCases', 'crashes', 'killsSurvived'];

/**
 * The figures of one test file: tests add to them; after the file they are
 * printed on one line (`reliability: <name> sent=… lost=0 …`) and written to
 * `test/reliability/.results/<name>.json` for collection.
 *
 * @example
 * const figures = useFigures('deliveries', ['sent', 'acknowledged', 'recorded', 'lost']);
 * figures.sent += 1;
 */
export function useFigures(name: string, measured: ReadonlyArray<keyof Figures>): Figures & { note(key: string, value: unknown): void } {
  const figures: Figures = { sent: 0, acknowledged: 0, recorded: 0, lost: 0, refused: 0, faultsInjected: 0, falseSuccesses: 0, fuzzCases: 0, crashes: 0, killsSurvived: 0 };
  const notes: Record<string, unknown> = {};
  let started = 0;
  beforeAll(() => {
    started = performance.now();
  });
  afterAll(() => {
    if (!RELIABILITY) return;
    const durationMs = Math.round(performance.now() - started);
    // A counter this file does not measure is printed as n/a and written as null.
    const value = (k: keyof Figures) => (measured.includes(k) ? figures[k] : null);
    console.log(`reliability: ${name} ${ORDER.map((k) => `${k}=${value(k) ?? 'n/a'}`).join(' ')} durationMs=${durationMs}`);
    const dir = new URL('../.results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const counters = Object.fromEntries(ORDER.map((k) => [k, value(k)]));
    const result = { name, ...counters, durationMs, notes, node: process.version, cpus: availableParallelism(), finishedAt: new Date().toISOString() };
    writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
  });
  return Object.assign(figures, { note: (key: string, value: unknown) => void (notes[key] = value) });
}
