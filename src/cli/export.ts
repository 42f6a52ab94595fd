import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportResult } from '../export/export.js';
import type { ExportRequest } from '../export/export-request.js';
import type { ExportSigner } from '../export/signature.js';
import { VERSION } from '../version.js';
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';
import { count, ledgerPathFrom } from './ledger-cli.js';
import { progressReporter, type Progress } from './progress.js';

const HELP = `Usage: changeproof export --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [options]

Writes the auditor's package for an observation period: the population of
changes, direct pushes and gated deployments, a reproducible sample with one
evidence page per item, the exceptions, a report, and a signed manifest
(see docs/auditor-guide.md). The ledger is verified first; a ledger that
does not verify gives no export.

Period (calendar days, inclusive, in --tz):
  --from YYYY-MM-DD --to YYYY-MM-DD
  --period NAME             instead: 2026, 2026-H1, 2026-Q1, 2026-03, last-90-days
  --tz Area/City            time zone of the days and months (default UTC)

Input:
  --ledger PATH|URL         SQLite ledger, NDJSON export, postgres:// URL, or the app's URL (read API;
                            token in CHANGEPROOF_API_TOKEN) (default: $LEDGER_PATH,
                            else ./data/ledger.db)
  --repo owner/name         only these repositories (repeatable); with GITHUB_TOKEN
                            the ledger is also reconciled with GitHub (completeness.csv)
  --signing-key FILE        the ledger's private key, to sign the manifest (default:
                            $CHANGEPROOF_SIGNING_KEY, $CHANGEPROOF_SIGNING_KEY_PATH,
                            else the key beside a SQLite ledger); the export is then
                            recorded in a SQLite ledger it was made from. Reading the
                            app's URL, the app signs: give its signing token in
                            $CHANGEPROOF_SIGNING_TOKEN (not the read token); it
                            re-derives the export from its ledger and refuses (saying
                            what differs) unless they agree

Sample:
  --seed S                  the seed (default: drawn at random and recorded)
  --sample-size N|auto      fixed size, or the frequency table (default auto)
  --confidence C --tolerable-rate R
                            statistical size: ceil(ln(1-C)/ln(1-R)), e.g. 0.95 and 0.05
  --strata month|repo|none  stratified selection (default none)
  --selection FILE          the auditor's own list of ids (text, CSV with an id
                            column, or JSON) instead of drawing a sample

Coverage:
  --allow-partial-coverage  export a period the ledger covers only in part (it covers a
                            repository from its first entry or installation record);
                            without it such a period is refused. The report, manifest
                            and summary then say what is not covered. A period the
                            ledger covers for no repository is always refused.

Output:
  --out DIR                 a new or empty directory
  --json                    print the result as JSON
  -h, --help                show this help

Environment: GITHUB_TOKEN (completeness), GHE_HOST/GHE_PROTOCOL or GITHUB_API_URL
for GitHub Enterprise Server.

Exit status: 0 written; 1 failed (nothing is left half-written); 2 bad usage.`;

/** \`changeproof export\`: SPEC §1.2, §4, §5. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Export the auditor package for a period: population, sample, evidence, signed manifest',
  help: HELP,
  async run(argv, io) {
    await loadExportModules();
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          from: { type: 'string' }, to: { type: 'string' }, period: { type: 'string' }, tz: { type: 'string' },
          out: { type: 'string' }, ledger: { type: 'string' }, repo: { type: 'string', multiple: true },
          seed: { type: 'string' }, 'sample-size': { type: 'string' }, confidence: { type: 'string' },
          'tolerable-rate': { type: 'string' }, strata: { type: 'string' }, selection: { type: 'string' },
          'signing-key': { type: 'string' }, json: { type: 'boolean' }, 'allow-partial-coverage': { type: 'boolean' },
        },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!values.out) throw new UsageError('--out DIR is required');
    const request: ExportRequest = {
      from: values.from, to: values.to, period: values.period, timeZone: values.tz ?? 'UTC', out: values.out,
      ledger: values.ledger ?? ledgerPathFrom(undefined, io), repos: values.repo ?? [], seed: values.seed,
      sampleSize: values['sample-size'] ?? 'auto', confidence: values.confidence, tolerableRate: values['tolerable-rate'],
      strata: values.strata ?? 'none', selectionFile: values.selection, signingKey: values['signing-key'],
      githubToken: io.env['GITHUB_TOKEN'] || undefined, githubApiUrl: io.env['GITHUB_API_URL'] || undefined,
      allowPartialCoverage: values['allow-partial-coverage'] ?? false,
    };
    const progress = stageProgress(io);
    let result: ExportResult;
    let recorded: string;
    try {
      let sqlite = false;
      const options = await resolveExport(request, {
        env: io.env, now: () => new Date(), openSqlite: (path) => ((sqlite = true), sqliteSource(path, io.env)),
        openDatabase: async (url) => (await import('../ledger/postgres/pg-source.js')).postgresSource(url, io.env), onProgress: progress.update, toolVersion: VERSION,
      });
      try {
        result = await runExport(options);
      } finally {
        await options.source.close();
        progress.done();
      }
      recorded = await recordLocalExport(request.ledger, sqlite, options.signer, result, io.env);
    } catch (error) {
      if (error instanceof ExportRequestError || error instanceof SelectionListError) throw new UsageError(error.message);
      if (error instanceof ExportError || error instanceof LedgerError || error instanceof LedgerSourceError || error instanceof LedgerIntegrityError) {
        io.stderr.write(`changeproof export: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ ...summaryJson(result), recorded }, null, 2)}\n`);
    else io.stdout.write(`${summaryText(result)}\n  ${recorded}\n`);
    return 0;
  },
};

// The export's modules (SQLite, exceljs, Octokit, the policy engine) load when it runs, not for `--help`.
let LedgerError: typeof import('../ledger/errors.js').LedgerError;
let ExportError: typeof import('../export/export.js').ExportError;
let runExport: typeof import('../export/export.js').runExport;
let ExportRequestError: typeof import('../export/export-request.js').ExportRequestError;
let resolveExport: typeof import('../export/export-request.js').resolveExport;
let LedgerSourceError: typeof import('../export/ledger-source.js').LedgerSourceError;
let LedgerIntegrityError: typeof import('../export/scan.js').LedgerIntegrityError;
let describe: typeof import('../export/coverage.js').describe;
let manifestDigest: typeof import('../export/signature.js').manifestDigest;
let sqliteSource: typeof import('../export/sqlite-source.js').sqliteSource;
let SqliteLedger: typeof import('../ledger/index.js').SqliteLedger;
let SelectionListError: typeof import('../sampling/auditor-selection.js').SelectionListError;

async function loadExportModules(): Promise<void> {
  ({ LedgerError } = await import('../ledger/errors.js'));
  ({ ExportError, runExport } = await import('../export/export.js'));
  ({ ExportRequestError, resolveExport } = await import('../export/export-request.js'));
  ({ LedgerSourceError } = await import('../export/ledger-source.js'));
  ({ LedgerIntegrityError } = await import('../export/scan.js'));
  ({ describe } = await import('../export/coverage.js'));
  ({ manifestDigest } = await import('../export/signature.js'));
  ({ sqliteSource } = await import('../export/sqlite-source.js'));
  ({ SqliteLedger } = await import('../ledger/index.js'));
  ({ SelectionListError } = await import('../sampling/auditor-selection.js'));
}

/**
 * An export signed here with the ledger's own key is recorded in that ledger
 * (an `export` entry with the manifest's hash), as the app records those it
 * signs — when the ledger is a SQLite file this process can write. Otherwise
 * the summary says why it is not.
 */
async function recordLocalExport(path: string, sqlite: boolean, signer: ExportSigner, result: ExportResult, env: NodeJS.ProcessEnv): Promise<string> {
  if (!signer.local) return 'Recorded in the ledger by the app that signed it.';
  if (!sqlite) return `Not recorded in a ledger: ${path} is an NDJSON file, not the ledger itself; the export's manifest hash is in ${join(result.out, 'SHA256SUMS')}.`;
  const manifestSha256 = manifestDigest(await readFile(join(result.out, 'manifest.json')));
  try {
    const ledger = SqliteLedger.open(path, { env, signingKey: signer.local });
    try {
      const { entry } = await ledger.signExport(manifestSha256, 'changeproof export (the ledger key, held locally)', {
        period: { from: result.manifest.period.from, to: result.manifest.period.to, timeZone: result.manifest.period.time_zone },
        repositories: result.manifest.repositories,
        ledgerHead: result.manifest.ledger.head,
        population: { size: result.populationSize, hash: result.manifest.population.hash },
        sample: result.manifest.sample,
      });
      return `Recorded in the ledger as entry #${entry.seq} (export/${manifestSha256}).`;
    } finally {
      await ledger.close();
    }
  } catch (error) {
    return `NOT recorded in the ledger (${(error as Error).message}); the export itself is complete and signed.`;
  }
}

function summaryJson(r: ExportResult) {
  return {
    out: r.out,
    population: r.populationSize,
    changes: r.counts.changes,
    directPushes: r.counts.directPushes,
    deployments: r.counts.deployments,
    compliant: r.counts.compliant,
    categories: r.categories,
    sample: r.sampleSize,
    seed: r.seed,
    method: r.selection.method,
    exceptions: r.exceptions.length,
    openExceptions: r.exceptions.filter((e) => e.status === 'open' || e.status === 'overdue').length,
    completeness: r.completeness,
    ledger: { entries: r.ledger.verifiedEntries, head: r.ledger.headHash, keyId: r.ledger.keyId },
    coverage: r.coverage,
    ids: r.selection.ids,
  };
}

function summaryText(r: ExportResult): string {
  const lines = [
    `Export written to ${r.out}`,
    `  Ledger: ${count(r.ledger.verifiedEntries, 'entry', 'entries')} verified, head ${r.ledger.headHash}`,
    `  Population: ${r.populationSize} (${count(r.counts.changes, 'change', 'changes')}: ${r.categories.changesCompliant.toLocaleString('en-US')} compliant, ${r.categories.changesNotCompliant.toLocaleString('en-US')} not; ${count(r.counts.directPushes, 'direct push', 'direct pushes')}; ${count(r.counts.deployments, 'gated deployment', 'gated deployments')}: ${r.categories.deploymentsApproved.toLocaleString('en-US')} approved, ${r.categories.deploymentsRejected.toLocaleString('en-US')} rejected by the gate${r.categories.deploymentsUngated ? `, ${r.categories.deploymentsUngated.toLocaleString('en-US')} without the gate` : ''})`,
    `  Exceptions in the period: ${r.exceptions.length}`,
    `  Sample: ${r.sampleSize} (${r.selection.method}${r.seed ? `, seed ${r.seed}` : ''})`,
  ];
  if (r.coverage.partial) lines.push(`  PARTIAL COVERAGE: the ledger covers ${describe(r.coverage.repositories.filter((c) => c.covers !== 'whole'))}`);
  if (r.completeness) {
    const c = r.completeness;
    lines.push(`  Completeness: ${count(c.commitsChecked, 'commit', 'commits')} and ${count(c.pullRequestsChecked, 'merged pull request', 'merged pull requests')} checked on GitHub; ${count(c.gaps, 'gap', 'gaps')}${c.failures.length ? `; NOT established for ${c.failures.map((f) => f.repo).join(', ')}` : ''}`);
  } else {
    lines.push('  Completeness: not reconciled with GitHub (give --repo and GITHUB_TOKEN)');
  }
  lines.push(`  Signed by key ${r.ledger.keyId}; check with: changeproof verify-export ${r.out}`);
  return lines.join('\n');
}

/** Progress on stderr with totals: a line in place on a terminal, a plain line every few seconds elsewhere (progress.ts). */
function stageProgress(io: CliIo): Progress {
  return progressReporter(io, 'changeproof export');
}
