import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { readNdjsonLines } from '../ledger/ndjson.js';
import { compareIds } from '../sampling/select-sample.js';
import { POPULATION_COLUMNS, csvFile, populationRecord } from './csv.js';
import { NO_CATEGORIES, type CategoryCounts, type DeploymentLink, type ExceptionRow, type MonthSummary, type PopulationItem } from './model.js';
import { categoryOf, deploymentAttribute, itemCompliant } from './population.js';

export interface PopulationCounts {
  changes: number;
  directPushes: number;
  deployments: number;
  compliant: number;
}

export interface WrittenPopulation {
  counts: PopulationCounts;
  /** The items by category (changes, direct pushes, deployments by the gate's decision). */
  categories: CategoryCounts;
  /** Per month of the items, in no particular order. */
  months: Map<string, MonthSummary>;
  /** The sampled rows, complete, sorted by id. */
  sample: PopulationItem[];
}

export interface WritePopulationInput {
  csvPath: string;
  /** The spooled change rows (JSON lines, seq order). */
  changesPath: string;
  /** The other items, in seq order. */
  others: PopulationItem[];
  exceptionsByItem: Map<string, ExceptionRow[]>;
  deploymentLinks: Map<string, DeploymentLink[]>;
  sampled: ReadonlySet<string>;
  /** Where to copy the final rows as JSON lines (for the workbook), or null. */
  rowsPath: string | null;
  onProgress: (written: number) => void;
  /** Rows to write in all (for progress). */
  total?: number;
}

/**
 * population.csv, streamed in ledger order: the spooled changes merged with
 * the other items by seq, each joined with its exceptions and the gated
 * deployments that carried it, and counted per month. Keeps only the
 * sampled rows.
 */
export async function writePopulation(input: WritePopulationInput): Promise<WrittenPopulation> {
  const counts: PopulationCounts = { changes: 0, directPushes: 0, deployments: 0, compliant: 0 };
  const months = new Map<string, MonthSummary>();
  const categories: CategoryCounts = { ...NO_CATEGORIES };
  const sample: PopulationItem[] = [];
  const csv = csvFile(input.csvPath, POPULATION_COLUMNS);
  const rows = input.rowsPath ? createWriteStream(input.rowsPath) : null;

  const finish = async (item: PopulationItem) => {
    item.exceptions = input.exceptionsByItem.get(item.id) ?? [];
    if (item.kind === 'change') {
      item.deployments = input.deploymentLinks.get(item.id) ?? [];
      if (item.deployments.length) item.attributes.deployment = deploymentAttribute(item.deployments, true);
      counts.changes += 1;
    } else if (item.kind === 'direct_push') counts.directPushes += 1;
    else counts.deployments += 1;
    const compliant = itemCompliant(item);
    if (compliant) counts.compliant += 1;
    let m = months.get(item.month);
    if (!m) months.set(item.month, (m = { month: item.month, total: 0, compliant: 0, exceptions: 0, categories: { ...NO_CATEGORIES } }));
    m.total += 1;
    const category = categoryOf(item);
    categories[category] += 1;
    m.categories![category] += 1;
    if (compliant) m.compliant += 1;
    if (item.exceptions.length) m.exceptions += 1;
    if (input.sampled.has(item.id)) sample.push(item);
    await csv.write(populationRecord(item));
    if (rows && !rows.write(`${JSON.stringify(item)}\n`)) await once(rows, 'drain');
  };

  const { others } = input;
  let next = 0;
  let written = 0;
  for await (const line of readNdjsonLines(createReadStream(input.changesPath, { highWaterMark: 1 << 20 }))) {
    const item = JSON.parse(line.text) as PopulationItem;
    while (next < others.length && others[next]!.ledger.seq < item.ledger.seq) await finish(others[next++]!);
    await finish(item);
    if (++written % 8192 === 0) input.onProgress(written);
  }
  while (next < others.length) await finish(others[next++]!);
  await csv.close();
  if (rows) {
    rows.end();
    await finished(rows);
  }
  sample.sort((a, b) => compareIds(a.id, b.id));
  return { counts, categories, months, sample };
}
