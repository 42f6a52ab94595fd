import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyFromPem } from '../ledger/signing-key.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import { readEntryHeader } from '../ledger/entry-text.js';
import { readNdjsonLines } from '../ledger/ndjson.js';
import { inPeriod, type ObservationPeriod } from '../sampling/period.js';
import { sampleSize, type SampleSizeRule } from '../sampling/sample-size.js';
import { compareIds, selectSample, type Selection, type Strata } from '../sampling/select-sample.js';
import { parseSelectionList } from '../sampling/auditor-selection.js';
import { EXCEPTION_COLUMNS, POPULATION_COLUMNS, SAMPLE_COLUMNS, csvFile, exceptionRecord, populationRecord, sampleRecord } from './csv.js';
import { renderEvidencePage } from './html/evidence-page.js';
import { renderReport } from './html/report-page.js';
import { sourceError, type LedgerSource } from './ledger-source.js';
import { writeManifest, type Manifest } from './manifest.js';
import {
  evidencePath, type CompletenessSummary, type ExceptionRow, type LedgerSummary, type MonthSummary, type PopulationItem,
} from './model.js';
import { deploymentAttribute, deploymentItem, exceptionRow, itemCompliant, itemIdOf, pushItem, subjectOfItem } from './population.js';
import { subjectKey } from './subject-index.js';
import { scanLedger, type IndexedItem, type RecordedInRepo, type ScanResult } from './scan.js';
import type { ExportSigner } from './signature.js';
import { populationHash, selectionDocument } from './selection-file.js';
import { POPULATION_SHEET_LIMIT, writeWorkbook } from './xlsx.js';

export interface CompletenessResult {
  summary: CompletenessSummary;
  columns: readonly string[];
  rows: string[][];
}

/** Reconciles the ledger with GitHub (SPEC §5.2); see completeness.ts. */
export type CompletenessRunner = (recorded: Map<string, RecordedInRepo>, period: ObservationPeriod) => Promise<CompletenessResult>;

export interface ExportOptions {
  source: LedgerSource;
  /** The output directory: created, and refused when it exists and is not empty. */
  out: string;
  period: ObservationPeriod;
  /** `owner/name` repositories to export; null for every repository in the ledger. */
  repos: string[] | null;
  /** The seed; null draws one (recorded in selection.json). */
  seed: string | null;
  drawSeed: () => string;
  sampleSize: SampleSizeRule;
  strata: Strata;
  /** An auditor's own selection list (its text), instead of drawing a sample. */
  selection: { text: string; name: string } | null;
  signer: ExportSigner;
  completeness: CompletenessRunner | null;
  now: () => Date;
  toolVersion: string;
  /** The parameters exactly as given (CLI flags or Action inputs), recorded in the manifest. Never tokens. */
  parameters: Record<string, string>;
  onProgress?: (stage: string, done: number) => void;
}

export interface ExportResult {
  out: string;
  populationSize: number;
  sampleSize: number;
  exceptions: ExceptionRow[];
  seed: string | null;
  selection: Selection;
  /** How the sample size was derived, in words. */
  derivation: string;
  sample: PopulationItem[];
  manifest: Manifest;
  completeness: CompletenessSummary | null;
  counts: { changes: number; directPushes: number; deployments: number; compliant: number };
  ledger: LedgerSummary;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/**
 * Produces the auditor's package for one observation period (SPEC §4, §5)
 * from a ledger, the same way for the CLI and the Action:
 *
 * 1. verify the whole ledger and index the population (scan.ts);
 * 2. size and draw the sample (or take the auditor's list);
 * 3. reconcile with GitHub when a runner is given (completeness.ts);
 * 4. read the sampled items' ledger entries (a second pass);
 * 5. write every file, then the manifest, its signature and SHA256SUMS.
 *
 * Memory holds the population's ids (for the draw), the exceptions and the
 * deployments; change rows stream through a spool file.
 */
export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const { period, source } = options;
  const progress = options.onProgress ?? (() => {});
  const generatedAt = options.now();
  const asOf = generatedAt.toISOString();
  const created = await prepareOutput(options.out);
  const work = await mkdtemp(join(tmpdir(), 'changeproof-export-'));
  let done = false;
  try {
    const published = await source.publicKeyPem();
    if (published && publicKeyFromPem(published).export({ type: 'spki', format: 'der' }).toString('hex') !==
      publicKeyFromPem(options.signer.publicKeyPem).export({ type: 'spki', format: 'der' }).toString('hex')) {
      throw new ExportError(`the signing key (id ${options.signer.keyId.slice(0, 16)}…) is not the key published with the ledger ${source.description}`);
    }
    let scan: ScanResult;
    try {
      scan = await scanLedger(source, {
        period,
        repos: options.repos ? new Set(options.repos) : null,
        publicKeyPem: options.signer.publicKeyPem,
        spoolPath: join(work, 'changes.ndjson'),
        collectRecorded: options.completeness !== null,
        onProgress: (n) => progress('verify and index the ledger', n),
      });
    } catch (error) {
      throw sourceError(source, error);
    }

    // 1. the items that are not changes, and the exceptions of the period
    const resolutionOf = (e: LedgerEntry) => scan.resolutions.get(e.seq) ?? null;
    const exceptions = scan.exceptions.map((e) => exceptionRow(e, resolutionOf(e), asOf));
    const exceptionsByItem = groupBy(exceptions, (e) => e.itemId);
    const periodExceptions = exceptions.filter((e) => inPeriod(period, e.occurredAt));
    const others: PopulationItem[] = [];
    for (const e of scan.exceptions) {
      const data = e.data as { type?: string; occurredAt?: string };
      if (data.type !== 'direct_push' || !data.occurredAt || !inPeriod(period, data.occurredAt)) continue;
      const id = itemIdOf(e.repo!, e.subject)!;
      if (others.some((o) => o.id === id)) continue;
      others.push(pushItem(e, scan.directPushes.get(id) ?? null, period.timeZone));
    }
    for (const d of scan.deployments.values()) {
      const item = deploymentItem(d.records, d.decision, period.timeZone);
      if (item && inPeriod(period, item.occurredAt)) others.push(item);
    }
    others.sort((a, b) => a.ledger.seq - b.ledger.seq);
    const index: IndexedItem[] = [...scan.changeIndex, ...others.map((o) => ({ id: o.id, repo: o.repo, month: o.month, kind: o.kind, seq: o.ledger.seq }))];

    // 2. the sample
    const ids = index.map((i) => i.id).sort(compareIds);
    const size = sampleSize(options.sampleSize, index.length, period.days);
    const seed = options.selection ? null : options.seed ?? options.drawSeed();
    const selection: Selection = options.selection
      ? parseSelectionList(options.selection.text, new Set(ids))
      : selectSample(index, size.size, seed!, options.strata);
    const sampled = new Set(selection.ids);
    const derivation = options.selection
      ? `the auditor's own selection list (${options.selection.name}): ${selection.ids.length} item(s)`
      : size.derivation;

    // 3. completeness against GitHub
    let completeness: CompletenessResult | null = null;
    if (options.completeness) {
      progress('reconcile with GitHub', 0);
      completeness = await options.completeness(scan.recorded, period);
    }

    // 4. the sampled items' entries, by seq from the index the scan built
    const wanted = new Map<number, string>();
    for (const id of sampled) {
      const items = [id, ...(id.includes('#') ? (scan.deploymentLinks.get(id) ?? []).map((l) => l.itemId) : [])];
      for (const itemId of items) {
        const { repo, subject } = subjectOfItem(itemId);
        for (const seq of scan.subjects.get(subjectKey(repo, subject)) ?? []) wanted.set(seq, itemId);
      }
    }
    const entriesOf = new Map<string, LedgerEntry[]>();
    const seqs = [...wanted.keys()].sort((a, b) => a - b);
    try {
      const rows = source.parallel ? source.parallel.bySeq(seqs) : source.stored(seqs.at(-1) ?? 0);
      let read = 0;
      for await (const stored of rows) {
        if (++read % 8192 === 0) progress('read the sampled evidence', read);
        const header = readEntryHeader(stored.body);
        const itemId = header ? wanted.get(header.seq) : undefined;
        if (itemId === undefined) continue;
        const entry = { ...(JSON.parse(stored.body) as Omit<LedgerEntry, 'hash'>), hash: stored.hash } as LedgerEntry;
        const list = entriesOf.get(itemId) ?? [];
        list.push(entry);
        entriesOf.set(itemId, list);
      }
    } catch (error) {
      throw sourceError(source, error);
    }

    // 5. population.csv (and the rows for the workbook), joining exceptions and deployments
    const months = new Map<string, MonthSummary>();
    const counts = { changes: 0, directPushes: 0, deployments: 0, compliant: 0 };
    const sample: PopulationItem[] = [];
    const rowsPath = join(work, 'population-rows.ndjson');
    const rowsOut = createWriteStream(rowsPath);
    const population = csvFile(join(options.out, 'population.csv'), POPULATION_COLUMNS);
    const finishItem = async (item: PopulationItem) => {
      item.exceptions = exceptionsByItem.get(item.id) ?? [];
      if (item.kind === 'change') {
        item.deployments = scan.deploymentLinks.get(item.id) ?? [];
        if (item.deployments.length) item.attributes.deployment = deploymentAttribute(item.deployments, true);
        counts.changes += 1;
      } else if (item.kind === 'direct_push') counts.directPushes += 1;
      else counts.deployments += 1;
      const compliant = itemCompliant(item);
      if (compliant) counts.compliant += 1;
      const m = months.get(item.month) ?? { month: item.month, total: 0, compliant: 0, exceptions: 0 };
      m.total += 1;
      if (compliant) m.compliant += 1;
      if (item.exceptions.length) m.exceptions += 1;
      months.set(item.month, m);
      if (sampled.has(item.id)) sample.push(item);
      await population.write(populationRecord(item));
      if (index.length <= POPULATION_SHEET_LIMIT && !rowsOut.write(`${JSON.stringify(item)}\n`)) await once(rowsOut, 'drain');
    };
    let next = 0;
    let written = 0;
    for await (const line of readNdjsonLines(createReadStream(join(work, 'changes.ndjson'), { highWaterMark: 1 << 20 }))) {
      const item = JSON.parse(line.text) as PopulationItem;
      while (next < others.length && others[next]!.ledger.seq < item.ledger.seq) await finishItem(others[next++]!);
      await finishItem(item);
      if (++written % 8192 === 0) progress('write population.csv', written);
    }
    while (next < others.length) await finishItem(others[next++]!);
    await population.close();
    rowsOut.end();
    await finished(rowsOut);
    sample.sort((a, b) => compareIds(a.id, b.id));

    // 6. the other files
    progress('write the sample and evidence', 0);
    const sampleCsv = csvFile(join(options.out, 'sample.csv'), SAMPLE_COLUMNS);
    for (const item of sample) await sampleCsv.write(sampleRecord(item, evidencePath(item.id)));
    await sampleCsv.close();
    const exceptionsCsv = csvFile(join(options.out, 'exceptions.csv'), EXCEPTION_COLUMNS);
    for (const row of periodExceptions) await exceptionsCsv.write(exceptionRecord(row));
    await exceptionsCsv.close();
    if (completeness) {
      const file = csvFile(join(options.out, 'completeness.csv'), completeness.columns);
      for (const row of completeness.rows) await file.write(row);
      await file.close();
    }

    const ledger: LedgerSummary = {
      source: source.description,
      headSize: scan.head.size,
      headHash: scan.head.hash,
      checkpoint: scan.checkpoint
        ? { seq: scan.checkpoint.seq, size: scan.checkpoint.size, hash: scan.checkpoint.head_hash, time: scan.checkpoint.time, keyId: scan.checkpoint.key_id }
        : null,
      keyId: options.signer.keyId,
      verifiedEntries: scan.verifiedEntries,
    };
    const popHash = populationHash(ids);
    const selectionJson = selectionDocument({
      period, populationSize: ids.length, populationHash: popHash, rule: options.sampleSize, derivation,
      selection, repos: options.repos,
    });
    await writeFile(join(options.out, 'selection.json'), selectionJson);

    await mkdir(join(options.out, 'evidence'));
    const deploymentEntriesOf = (item: PopulationItem) => item.deployments.flatMap((d) => entriesOf.get(d.itemId) ?? []).sort((a, b) => a.seq - b.seq);
    for (const item of sample) {
      const html = renderEvidencePage({
        item, entries: entriesOf.get(item.id) ?? [], deploymentEntries: deploymentEntriesOf(item), generatedAt: asOf, period, toolVersion: options.toolVersion,
      });
      await writeFile(join(options.out, evidencePath(item.id)), html);
    }

    const repositories = options.repos ?? [...new Set(index.map((i) => i.repo))].sort(compareIds);
    const monthList = monthsOf(period).map((m) => months.get(m) ?? { month: m, total: 0, compliant: 0, exceptions: 0 });
    const counted = {
      population: ids.length,
      changes: counts.changes,
      directPushes: counts.directPushes,
      deployments: counts.deployments,
      compliant: counts.compliant,
      exceptions: periodExceptions.length,
      openExceptions: periodExceptions.filter((e) => e.status === 'open' || e.status === 'overdue').length,
    };
    await writeFile(join(options.out, 'report.html'), renderReport({
      period, generatedAt: asOf, toolVersion: options.toolVersion, repositories, counts: counted, months: monthList,
      exceptions: periodExceptions,
      sample: { selection, derivation, size: selection.ids.length, allocation: selection.allocation, populationHash: popHash },
      sampleItems: sample, ledger, completeness: completeness?.summary ?? null, parameters: options.parameters,
    }));

    progress('write sample.xlsx', 0);
    await writeWorkbook({
      path: join(options.out, 'sample.xlsx'),
      sample,
      exceptions: periodExceptions,
      populationRowsPath: rowsPath,
      populationSize: ids.length,
      completeness: completeness ? { columns: completeness.columns, rows: completeness.rows } : null,
      method: methodRows(period, selection, derivation, popHash, ids.length, options.parameters),
      generatedAt,
    });
    await writeFile(join(options.out, 'public-key.pem'), options.signer.publicKeyPem);

    progress('sign the manifest', 0);
    const manifest = await writeManifest(options.out, {
      generatedAt: asOf,
      toolVersion: options.toolVersion,
      parameters: options.parameters,
      period,
      repositories: options.repos,
      ledger,
      checkpoint: scan.checkpoint,
      population: { size: ids.length, hash: popHash, ...counts },
      sample: { size: selection.ids.length, method: selection.method, seed },
      exceptions: { total: counted.exceptions, open: counted.openExceptions },
      completeness: completeness?.summary ?? null,
      duplicates: scan.duplicates,
    }, options.signer);
    done = true;
    return {
      out: options.out, populationSize: ids.length, sampleSize: selection.ids.length, exceptions: periodExceptions, seed,
      selection, derivation, sample, manifest, completeness: completeness?.summary ?? null, counts, ledger,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    // A failed export leaves nothing half-written: the directory was empty or new.
    if (!done) {
      if (created) await rm(options.out, { recursive: true, force: true });
      else for (const name of readdirSync(options.out)) await rm(join(options.out, name), { recursive: true, force: true });
    }
  }
}

/** Creates the output directory; true when it did not exist. Refuses a non-empty one. */
async function prepareOutput(out: string): Promise<boolean> {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new ExportError(`--out ${out} is a file, not a directory`);
    if (readdirSync(out).length > 0) throw new ExportError(`--out ${out} is not empty: choose a new directory (an export never overwrites files)`);
    return false;
  }
  await mkdir(out, { recursive: true });
  return true;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Every `YYYY-MM` the period touches, in order. */
export function monthsOf(period: ObservationPeriod): string[] {
  const out: string[] = [];
  let [y, m] = period.from.split('-').map(Number) as [number, number];
  const last = period.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    out.push(month);
    if (month >= last) return out;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

function methodRows(period: ObservationPeriod, selection: Selection, derivation: string, hash: string, size: number, parameters: Record<string, string>): [string, string][] {
  return [
    ['period', `${period.from} to ${period.to} (${period.timeZone}), ${period.days} days: ${period.start} to ${period.end} (end exclusive)`],
    ['population size', String(size)],
    ['population hash (sha256 of the sorted ids)', hash],
    ['selection method', selection.method],
    ['generator', selection.prng],
    ['algorithm', selection.algorithm],
    ['seed', selection.seed ?? '(auditor selection: no seed)'],
    ['strata', selection.strata],
    ['sample size', `${selection.ids.length}: ${derivation}`],
    ...selection.allocation.map((a): [string, string] => [`stratum ${a.stratum}`, `${a.sample} of ${a.population}`]),
    ...Object.entries(parameters).map(([k, v]): [string, string] => [`parameter ${k}`, v]),
  ];
}
