import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerEntry } from '../ledger/ledger.js';
import type { ObservationPeriod } from '../sampling/period.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import { EXCEPTION_COLUMNS, SAMPLE_COLUMNS, csvFile, exceptionRecord, sampleRecord } from './csv.js';
import type { DrawnSample } from './draw-sample.js';
import { renderEvidencePage } from './html/evidence-page.js';
import { renderReport } from './html/report-page.js';
import { evidencePath, type CategoryCounts, type Coverage, type CompletenessSummary, type DesignInForce, type ExceptionRow, type LedgerSummary, type MonthSummary, type PopulationItem, type ReportInput } from './model.js';
import { selectionDocument } from './selection-file.js';
import { VERIFIER_FILE, verifierFile } from './verifier-file.js';
import { writeWorkbook } from './xlsx.js';

export interface PackageInput {
  out: string;
  period: ObservationPeriod;
  generatedAt: Date;
  toolVersion: string;
  parameters: Record<string, string>;
  repos: string[] | null;
  repositories: string[];
  rule: SampleSizeRule;
  drawn: DrawnSample;
  sample: PopulationItem[];
  entriesOf: Map<string, LedgerEntry[]>;
  exceptions: ExceptionRow[];
  counts: ReportInput['counts'];
  months: MonthSummary[];
  ledger: LedgerSummary;
  completeness: { summary: CompletenessSummary; columns: readonly string[]; rows: string[][] } | null;
  /** The final population rows as JSON lines, for the workbook's Population sheet; null when too many. */
  populationRowsPath: string | null;
  publicKeyPem: string;
  coverage: Coverage;
  categories?: CategoryCounts;
  designs?: DesignInForce[];
}

/**
 * Every file of the package but population.csv and the signed manifest:
 * sample.csv, exceptions.csv, completeness.csv, selection.json, one evidence
 * page per sampled item, report.html, sample.xlsx, the public key and the
 * standalone verifier (changeproof-verify.mjs, so that an auditor can check
 * the package with nothing but Node).
 */
export async function writePackage(p: PackageInput): Promise<void> {
  const { out, drawn, sample } = p;
  const asOf = p.generatedAt.toISOString();
  await writeCsv(join(out, 'sample.csv'), SAMPLE_COLUMNS, sample.map((item) => sampleRecord(item, evidencePath(item.id))));
  await writeCsv(join(out, 'exceptions.csv'), EXCEPTION_COLUMNS, p.exceptions.map(exceptionRecord));
  if (p.completeness) await writeCsv(join(out, 'completeness.csv'), p.completeness.columns, p.completeness.rows);

  await writeFile(join(out, 'selection.json'), selectionDocument({
    period: p.period, populationSize: drawn.ids.length, populationHash: drawn.populationHash, rule: p.rule,
    derivation: drawn.derivation, selection: drawn.selection, repos: p.repos,
  }));

  await mkdir(join(out, 'evidence'));
  const sampledIds = new Set(sample.map((item) => item.id));
  for (const item of sample) {
    const deploymentEntries = item.deployments.flatMap((d) => p.entriesOf.get(d.itemId) ?? []).sort((a, b) => a.seq - b.seq);
    await writeFile(join(out, evidencePath(item.id)), renderEvidencePage({
      item, entries: p.entriesOf.get(item.id) ?? [], deploymentEntries, generatedAt: asOf, period: p.period, toolVersion: p.toolVersion, sampledIds,
    }));
  }

  const { selection } = drawn;
  await writeFile(join(out, 'report.html'), renderReport({
    period: p.period, generatedAt: asOf, toolVersion: p.toolVersion, repositories: p.repositories, counts: p.counts, months: p.months,
    exceptions: p.exceptions,
    sample: { selection, derivation: drawn.derivation, size: selection.ids.length, allocation: selection.allocation, populationHash: drawn.populationHash },
    sampleItems: sample, ledger: p.ledger, completeness: p.completeness?.summary ?? null, parameters: p.parameters, coverage: p.coverage,
    categories: p.categories, designs: p.designs,
  }));

  await writeWorkbook({
    path: join(out, 'sample.xlsx'),
    period: p.period,
    sample,
    exceptions: p.exceptions,
    populationRowsPath: p.populationRowsPath,
    populationSize: drawn.ids.length,
    completeness: p.completeness ? { columns: p.completeness.columns, rows: p.completeness.rows } : null,
    method: methodRows(p.period, drawn, p.parameters),
    generatedAt: p.generatedAt,
  });
  await writeFile(join(out, 'public-key.pem'), p.publicKeyPem);
  await writeFile(join(out, VERIFIER_FILE), verifierFile().bytes);
}

async function writeCsv(path: string, columns: readonly string[], records: Iterable<readonly string[]>): Promise<void> {
  const file = csvFile(path, columns);
  for (const record of records) await file.write(record);
  await file.close();
}

/** The workbook's Method sheet: how the population was defined and the sample drawn. */
function methodRows(period: ObservationPeriod, drawn: DrawnSample, parameters: Record<string, string>): [string, string][] {
  const { selection } = drawn;
  return [
    ['period', `${period.from} to ${period.to} (${period.timeZone}), ${period.days} days: ${period.start} to ${period.end} (end exclusive)`],
    ['population size', String(drawn.ids.length)],
    ['population hash (sha256 of the sorted ids)', drawn.populationHash],
    ['selection method', selection.method],
    ['generator', selection.prng],
    ['algorithm', selection.algorithm],
    ['seed', selection.seed ?? '(auditor selection: no seed)'],
    ['strata', selection.strata],
    ['sample size', `${selection.ids.length}: ${drawn.derivation}`],
    ...selection.allocation.map((a): [string, string] => [`stratum ${a.stratum}`, `${a.sample} of ${a.population}`]),
    ...Object.entries(parameters).map(([k, v]): [string, string] => [`parameter ${k}`, v]),
  ];
}
