import * as core from '@actions/core';
import { runExport, type ExportResult } from '../export/export.js';
import { describe } from '../export/coverage.js';
import { resolveExport, type ExportRequest } from '../export/export-request.js';
import { ATTRIBUTES, evidencePath } from '../export/model.js';
import { VERSION } from '../version.js';

/** What the Action touches besides its inputs; injected in tests. */
export interface ActionDeps {
  core: Pick<typeof core, 'getInput' | 'setOutput' | 'setFailed' | 'setSecret' | 'info' | 'warning' | 'summary'>;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  fetch?: typeof fetch;
}

/**
 * The Action (SPEC §1.3): inputs → the same export as `changeproof export` →
 * outputs and a job summary. The ledger comes from the app's read API
 * (`ledger-url` + `ledger-token`) or an NDJSON file (`ledger-file`); the
 * Action's bundle never contains better-sqlite3. Fails the step with one
 * clear message on bad input or an export that cannot be made.
 */
export async function run(deps: ActionDeps = { core, env: process.env, now: () => new Date() }): Promise<ExportResult | null> {
  const { core: c, env } = deps;
  const input = (name: string) => c.getInput(name).trim();
  try {
    const ledgerToken = input('ledger-token');
    const signingToken = input('signing-token');
    const signingKey = input('signing-key');
    // Mask secrets in the log; a multi-line key line by line, as GitHub masks per line.
    for (const secret of [ledgerToken, signingToken, ...signingKey.split('\n')]) if (secret.trim() && !secret.startsWith('-----')) c.setSecret(secret.trim());
    const ledgerUrl = input('ledger-url');
    const ledgerFile = input('ledger-file');
    if (ledgerUrl && ledgerFile) throw new Error('give either ledger-url or ledger-file, not both');
    if (!ledgerUrl && !ledgerFile) throw new Error('no ledger: give ledger-url (the app\'s address, with ledger-token) or ledger-file (an NDJSON export)');
    const repositories = input('repositories') || env['GITHUB_REPOSITORY'] || '';
    const request: ExportRequest = {
      from: input('from') || undefined,
      to: input('to') || undefined,
      period: input('period') || undefined,
      timeZone: input('tz') || 'UTC',
      out: input('output-dir') || 'changeproof-export',
      ledger: ledgerUrl || ledgerFile,
      ledgerToken: ledgerToken || undefined,
      repos: repositories ? [repositories] : [],
      seed: input('seed') || undefined,
      sampleSize: input('sample-size') || 'auto',
      confidence: input('confidence') || undefined,
      tolerableRate: input('tolerable-rate') || undefined,
      strata: input('strata') || 'month',
      selectionFile: input('selection') || undefined,
      signingKey: signingKey || undefined,
      signingToken: signingToken || undefined,
      githubToken: input('token') || undefined,
      githubApiUrl: env['GITHUB_API_URL'] || undefined,
      allowPartialCoverage: input('allow-partial-coverage') === 'true',
    };
    const options = await resolveExport(request, { env, now: deps.now, fetch: deps.fetch, toolVersion: VERSION, onProgress: progressLogger(c) });
    let result: ExportResult;
    try {
      result = await runExport(options);
    } finally {
      await options.source.close();
    }
    c.setOutput('output-dir', result.out);
    c.setOutput('population-size', String(result.populationSize));
    c.setOutput('sample-size', String(result.sampleSize));
    c.setOutput('exceptions', String(result.exceptions.length));
    c.setOutput('seed', result.seed ?? '');
    if (result.completeness?.failures.length) {
      c.warning(`Completeness could not be established for ${result.completeness.failures.map((f) => `${f.repo} (${f.reason})`).join(', ')}`);
    }
    await writeSummary(c.summary, result);
    c.info(`Export written to ${result.out}: population ${result.populationSize}, sample ${result.sampleSize}, exceptions ${result.exceptions.length}.`);
    return result;
  } catch (error) {
    c.setFailed(`changeproof export: ${(error as Error).message}`);
    return null;
  }
}

/** One log line per stage, and every 100,000 entries at most. */
function progressLogger(c: ActionDeps['core']): (stage: string, done: number) => void {
  let lastStage = '';
  let lastCount = 0;
  return (stage, done) => {
    if (stage !== lastStage || done - lastCount >= 100_000) {
      c.info(done ? `${stage}: ${done.toLocaleString('en-US')}` : stage);
      lastStage = stage;
      lastCount = done;
    }
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Recorded text in the job summary's HTML: shown, never interpreted. */
const escapeText = (text: string) => text.replace(/[&<>"'|\n]/g, (c) => (c === '\n' ? ' ' : `&#${c.charCodeAt(0)};`));

const mark = (result: string) => ({ pass: '✅ pass', fail: '❌ fail', not_applicable: 'n/a', not_evaluated: '⚠️ not evaluated' })[result] ?? result;

async function writeSummary(summary: ActionDeps['core']['summary'], r: ExportResult): Promise<void> {
  const m = r.manifest;
  summary
    .addHeading(`Changeproof export: ${m.period.from} to ${m.period.to} (${m.period.time_zone})`, 2)
    .addTable([
      [{ data: 'Population', header: true }, { data: 'Changes', header: true }, { data: 'Direct pushes', header: true }, { data: 'Gated deployments', header: true },
        { data: 'Compliant changes', header: true }, { data: 'Deployments rejected by the gate', header: true }, { data: 'Exceptions', header: true }, { data: 'Sample', header: true }],
      [String(r.populationSize), String(r.counts.changes), String(r.counts.directPushes), String(r.counts.deployments), String(r.categories.changesCompliant),
        String(r.categories.deploymentsRejected),
        String(r.exceptions.length), `${r.sampleSize} (${r.selection.method}${r.seed ? `, seed ${r.seed}` : ''})`],
    ]);
  if (r.coverage.partial) {
    summary.addRaw(`⚠️ **Partial coverage**: the ledger does not cover the whole period for ${describe(r.coverage.repositories.filter((c) => c.covers !== 'whole'))}; ` +
      'what happened before it covered a repository is not in this export.', true);
  }
  if (r.completeness) {
    const c = r.completeness;
    summary.addRaw(`Completeness: ${plural(c.commitsChecked, 'commit', 'commits')} and ${plural(c.pullRequestsChecked, 'merged pull request', 'merged pull requests')} checked on GitHub, ${plural(c.gaps, 'gap', 'gaps')}` +
      `${c.failures.length ? `; not established for ${c.failures.map((f) => f.repo).join(', ')}` : ''}.`, true);
  } else {
    summary.addRaw('Completeness: not reconciled with GitHub (no token or repositories).', true);
  }
  summary.addHeading('Exceptions', 3);
  if (r.exceptions.length === 0) summary.addRaw('None in the period.', true);
  else {
    summary.addTable([
      ['Item', 'Type', 'Occurred at', 'Actor', 'Status', 'Management response'].map((data) => ({ data, header: true })),
      ...r.exceptions.map((e) => [e.itemId, e.type, e.occurredAt, e.actor ?? '', e.status, escapeText((e.responses ?? []).map((x) => `${x.by} (${x.role}): ${x.text}`).join(' | '))]),
    ]);
  }
  summary.addHeading('Sample', 3);
  summary.addRaw(`${plural(r.sampleSize, 'item', 'items')}: ${r.derivation}.`, true);
  summary.addTable([
    ['Item', 'Kind', 'Verdict', ...ATTRIBUTES, 'Evidence'].map((data) => ({ data, header: true })),
    ...r.sample.map((item) => [item.url ? `<a href="${item.url}">${item.id}</a>` : item.id, item.kind, item.verdict, ...ATTRIBUTES.map((a) => mark(item.attributes[a].result)), evidencePath(item.id)]),
  ]);
  summary.addRaw(`Ledger: ${plural(r.ledger.verifiedEntries, 'entry', 'entries')} verified, head ${r.ledger.headHash}. Signed by key ${r.ledger.keyId}. ` +
    `Check the package with \`npx changeproof verify-export ${r.out}\`.`, true);
  await summary.write();
}
