import type { LedgerEntry } from '../ledger/ledger.js';
import { inPeriod, type ObservationPeriod } from '../sampling/period.js';
import type { ExceptionRow, PopulationItem } from './model.js';
import { deploymentItem, exceptionRow, itemIdOf, pushItem } from './population.js';
import type { IndexedItem, ScanResult } from './scan.js';

/** The population apart from the spooled changes, and the exceptions. */
export interface PopulationParts {
  /** Direct pushes and gated deployments of the period, in ledger order. */
  others: PopulationItem[];
  /** Every item of the period (changes and others), for the draw. */
  index: IndexedItem[];
  /** Every exception recorded, with its resolution, by item id (to join onto rows). */
  exceptionsByItem: Map<string, ExceptionRow[]>;
  /** The exceptions that occurred in the period (exceptions.csv). */
  periodExceptions: ExceptionRow[];
}

/**
 * Direct pushes (by their exception) and gated deployments (by their
 * records and decision) of the period, and the exception rows, from what
 * the scan kept in memory. `asOf` decides which open deadlines are overdue.
 */
export function buildPopulation(scan: ScanResult, period: ObservationPeriod, asOf: string): PopulationParts {
  const resolutionOf = (e: LedgerEntry) => scan.resolutions.get(e.seq) ?? null;
  const exceptions = onceEach(scan.exceptions.map((e) => exceptionRow(e, resolutionOf(e), asOf, scan.responses.get(e.seq) ?? [])));
  const exceptionsByItem = new Map<string, ExceptionRow[]>();
  for (const row of exceptions) exceptionsByItem.set(row.itemId, [...(exceptionsByItem.get(row.itemId) ?? []), row]);

  const others: PopulationItem[] = [];
  const pushes = new Set<string>();
  for (const e of scan.exceptions) {
    const data = e.data as { type?: string; occurredAt?: string };
    if (data.type !== 'direct_push' || !data.occurredAt || !inPeriod(period, data.occurredAt)) continue;
    const id = itemIdOf(e.repo!, e.subject)!;
    if (pushes.has(id)) continue;
    pushes.add(id);
    others.push(pushItem(e, scan.directPushes.get(id) ?? null, period.timeZone));
  }
  for (const d of scan.deployments.values()) {
    const item = deploymentItem(d.records, d.decision, period.timeZone);
    if (item && inPeriod(period, item.occurredAt)) others.push(item);
  }
  others.sort((a, b) => a.ledger.seq - b.ledger.seq);
  const index = [...scan.changeIndex, ...others.map((o): IndexedItem => ({ id: o.id, repo: o.repo, month: o.month, kind: o.kind, seq: o.ledger.seq }))];
  return { others, index, exceptionsByItem, periodExceptions: exceptions.filter((e) => inPeriod(period, e.occurredAt)) };
}

/**
 * Each exception once: a merge or push recorded twice (a redelivery before
 * the ledger knew it) brought its exception twice — same item, type and time.
 * The row kept is the first, unless a later copy was resolved or answered
 * (a resolution or response names the exception entry it followed).
 */
function onceEach(rows: ExceptionRow[]): ExceptionRow[] {
  const kept = new Map<string, ExceptionRow>();
  for (const row of rows) {
    const key = `${row.itemId}\u0000${row.type}\u0000${row.occurredAt}`;
    const first = kept.get(key);
    if (!first) kept.set(key, row);
    else if (first.resolvedAt === null && (row.resolvedAt !== null || (row.responses?.length ?? 0) > (first.responses?.length ?? 0))) kept.set(key, row);
  }
  return rows.filter((row) => kept.get(`${row.itemId}\u0000${row.type}\u0000${row.occurredAt}`) === row);
}
