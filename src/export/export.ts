import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf, publicKeyFromPem } from '../ledger/signing-key.js';
import type { ObservationPeriod } from '../sampling/period.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import { compareIds, type Selection, type Strata } from '../sampling/select-sample.js';
import { buildPopulation } from './build-population.js';
import { coverageOf, CoverageError, type Coverage } from './coverage.js';
import { designsInForce } from './designs.js';
import { drawSample } from './draw-sample.js';
import { publicSourceName, sourceError, type LedgerSource } from './ledger-source.js';
import { writeManifest, type Manifest } from './manifest.js';
import type { CategoryCounts, CompletenessSummary, ExceptionRow, LedgerSummary, PopulationItem } from './model.js';
import { OutputDir } from './output-dir.js';
import { readSampledEvidence } from './read-evidence.js';
import { scanLedger, type RecordedInRepo, type ScanResult } from './scan.js';
import type { ExportSigner } from './signature.js';
import { writePackage } from './write-package.js';
import { writePopulation } from './write-population.js';
import { POPULATION_SHEET_LIMIT } from './xlsx.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

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
  /** Export a period the ledger covers only in part (said in the report, manifest and summary). */
  allowPartialCoverage?: boolean;
  /** Progress: the stage, how far it is, and its total when known. */
  onProgress?: (stage: string, done: number, total?: number | null) => void;
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
  /** The population by category: changes compliant or not, direct pushes, deployments by the gate's decision. */
  categories: CategoryCounts;
  ledger: LedgerSummary;
  coverage: Coverage;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/**
 * Produces the auditor's package for one observation period (SPEC §4, §5)
 * from a ledger, the same way for the CLI and the Action:
 *
 * 1. check the signing key is the ledger's;
 * 2. verify the whole ledger and index the population (scanLedger);
 * 3. check the ledger covers the period for the repositories (coverageOf);
 * 4. add the direct pushes, deployments and exceptions (buildPopulation);
 * 5. size and draw the sample, or take the auditor's list (drawSample);
 * 6. reconcile with GitHub, when a runner is given (completeness.ts);
 * 7. read the sampled items' entries by seq (readSampledEvidence);
 * 8. stream population.csv, joining exceptions and deployments (writePopulation);
 * 9. write the other files (writePackage);
 * 10. hash every file and sign the manifest (writeManifest).
 *
 * Memory holds the population's ids (for the draw), the exceptions and the
 * deployments; change rows stream through a spool file. A failed export
 * leaves the output directory as it found it.
 */
export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const { period, source, signer } = options;
  const progress = options.onProgress ?? (() => {});
  const generatedAt = options.now();
  const asOf = generatedAt.toISOString();
  const out = await OutputDir.prepare(options.out, (message) => new ExportError(message));
  const work = await mkdtemp(join(tmpdir(), 'changeproof-export-'));
  let done = false;
  let scan: ScanResult | null = null;
  try {
    await checkSigningKey(source, signer);
    scan = await scanLedger(source, {
      period,
      repos: options.repos ? new Set(options.repos.map((r) => r.toLowerCase())) : null,
      publicKeyPem: signer.publicKeyPem,
      spoolPath: join(work, 'changes.ndjson'),
      collectRecorded: options.completeness !== null,
      onProgress: (n, total) => progress('verify and index the ledger (entries)', n, total),
    }).catch((error: unknown) => {
      throw sourceError(source, error);
    });
    // GitHub's repository names ignore case: each one asked for goes by the ledger's spelling of it.
    const spelled = options.repos?.map((r) => [...scan!.coverage.keys()].find((k) => k.toLowerCase() === r.toLowerCase()) ?? r) ?? null;
    const coverage = coverageOf(scan.coverage, spelled, period, options.allowPartialCoverage ?? false);
    const parts = buildPopulation(scan, period, asOf);
    const drawn = drawSample(parts.index, {
      period, rule: options.sampleSize, strata: options.strata, seed: options.seed, drawSeed: options.drawSeed, selection: options.selection,
    });
    progress('reconcile with GitHub', 0);
    const completeness = options.completeness ? await options.completeness(scan.recorded, period) : null;
    const entriesOf = await readSampledEvidence(source, scan, drawn.selection.ids, (n, total) => progress('read the sampled evidence (entries)', n, total));
    const rowsPath = parts.index.length <= POPULATION_SHEET_LIMIT ? join(work, 'population-rows.ndjson') : null;
    const population = await writePopulation({
      csvPath: join(out.path, 'population.csv'), changesPath: join(work, 'changes.ndjson'), others: parts.others,
      exceptionsByItem: parts.exceptionsByItem, deploymentLinks: scan.deploymentLinks, sampled: new Set(drawn.selection.ids),
      rowsPath, onProgress: (n) => progress('write population.csv (rows)', n, parts.index.length),
    });

    progress('write population.csv (rows)', parts.index.length, parts.index.length);
    progress(`write the sample (${plural(drawn.selection.ids.length, 'item', 'items')}), evidence pages, report and workbook`, 0);
    const ledger = ledgerSummary(source, scan, signer);
    const exceptions = parts.periodExceptions;
    const counts = {
      population: drawn.ids.length, ...population.counts,
      exceptions: exceptions.length, openExceptions: exceptions.filter((e) => e.status === 'open' || e.status === 'overdue').length,
    };
    await writePackage({
      out: out.path, period, generatedAt, toolVersion: options.toolVersion, parameters: options.parameters, repos: spelled,
      repositories: spelled ?? [...new Set(parts.index.map((i) => i.repo))].sort(compareIds),
      rule: options.sampleSize, drawn, sample: population.sample, entriesOf, exceptions, counts,
      months: monthsOf(period).map((m) => population.months.get(m) ?? { month: m, total: 0, compliant: 0, exceptions: 0 }),
      ledger, completeness, populationRowsPath: rowsPath, publicKeyPem: signer.publicKeyPem, coverage,
      categories: population.categories, designs: designsInForce(scan.policies, period),
    });

    progress('sign the manifest', 0);
    const manifest = await writeManifest(out.path, {
      generatedAt: asOf, toolVersion: options.toolVersion, parameters: options.parameters, period, repositories: spelled, ledger,
      checkpoint: scan.checkpoint,
      population: { size: drawn.ids.length, hash: drawn.populationHash, ...population.counts },
      sample: { size: drawn.selection.ids.length, method: drawn.selection.method, seed: drawn.seed, raised: drawn.selection.raised },
      exceptions: { total: counts.exceptions, open: counts.openExceptions },
      completeness: completeness?.summary ?? null,
      duplicates: scan.duplicates,
      coverage,
    }, signer);
    done = true;
    return {
      out: out.path, populationSize: drawn.ids.length, sampleSize: drawn.selection.ids.length, exceptions, seed: drawn.seed,
      selection: drawn.selection, derivation: drawn.derivation, sample: population.sample, manifest,
      completeness: completeness?.summary ?? null, counts: population.counts, categories: population.categories, ledger, coverage,
    };
  } catch (error) {
    if (error instanceof CoverageError) throw new ExportError(error.message);
    throw error;
  } finally {
    await scan?.release();
    await rm(work, { recursive: true, force: true });
    if (!done) await out.discard();
  }
}

/** The signing key must be the one the ledger's checkpoints are signed with (and that its source publishes). */
async function checkSigningKey(source: LedgerSource, signer: ExportSigner): Promise<void> {
  const published = await source.publicKeyPem();
  if (published && keyIdOf(publicKeyFromPem(published)) !== signer.keyId) {
    throw new ExportError(`the signing key (id ${signer.keyId.slice(0, 16)}…) is not the key published with the ledger ${source.description}`);
  }
}

function ledgerSummary(source: LedgerSource, scan: ScanResult, signer: ExportSigner): LedgerSummary {
  const c = scan.checkpoint;
  return {
    source: publicSourceName(source.description),
    headSize: scan.head.size,
    headHash: scan.head.hash,
    checkpoint: c ? { seq: c.seq, size: c.size, hash: c.head_hash, time: c.time, keyId: c.key_id } : null,
    keyId: signer.keyId,
    verifiedEntries: scan.verifiedEntries,
  };
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
