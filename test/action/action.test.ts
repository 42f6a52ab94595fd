import { spawnSync, spawn } from 'node:child_process';
import { nodeBinary } from '../support/node-binary.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../src/export/verify-export.js';
import { exportLedgerFile } from '../../src/ledger/ledger-file.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, startApp, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import { installationPayload, pullRequestPayload } from '../support/webhooks.js';

/**
 * The Action as GitHub runs it: the committed bundle, under Node 24 (a Node
 * 24 binary from npm), with INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, reading the ledger through the app's read API
 * and reconciling with GitHub (the simulator).
 */
const root = new URL('../..', import.meta.url).pathname;
const BUNDLE = join(root, 'dist', 'action', 'index.js');
const API_TOKEN = 'read-api-token-for-the-action-test';
const SIGNING_TOKEN = 'signing-token-for-the-action-test';

function runAction(env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(24), [BUNDLE], {
      cwd,
      env: { PATH: process.env['PATH']!, HOME: process.env['HOME'] ?? '/root', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function outputsOf(file: string): Record<string, string> {
  // GITHUB_OUTPUT uses `name<<delimiter` blocks.
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const m = lines[i]!.match(/^([\w-]+)<<(.+)$/);
    if (!m) continue;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== m[2]; i += 1) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

describe('the bundled Action', () => {
  it('reads exactly the inputs action.yml declares, and sets the outputs it declares (SPEC §1.3)', async () => {
    const { parse } = await import('yaml');
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    const source = readFileSync(join(root, 'src', 'action', 'run.ts'), 'utf8');
    const read = [...source.matchAll(/input\('([a-z-]+)'\)/g)].map((m) => m[1]).sort();
    const set = [...source.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]).sort();
    expect(read).toEqual(Object.keys(action.inputs).sort());
    expect(set).toEqual(Object.keys(action.outputs).sort());
    for (const spec of ['from', 'to', 'period', 'repositories', 'seed', 'sample-size', 'strata', 'ledger-url', 'ledger-token', 'token', 'output-dir']) expect(read).toContain(spec);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
  });

  it('dist/ is the bundle of the current sources, without better-sqlite3 or Probot', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-action.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toContain('dist/ is up to date');
    expect(r.status).toBe(0);
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/require\(["']better-sqlite3["']\)|from ["']better-sqlite3["']/);
  });

  describe('under Node 24', () => {
    let s: ScenarioBuilder;
    let sim: GitHubSimulator;
    let app: RunningApp;
    let work: string;
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'changeproof-action-'));
      // Set up in February, so that every commit of March is the app's to have seen.
      s = acmeScenario({ start: '2026-02-26T09:00:00Z' });
      s.world.tick(4 * 24 * 60);
      sim = await startGitHubSimulator(s);
      app = await startApp(sim, { apiToken: API_TOKEN, signingToken: SIGNING_TOKEN, clock: () => new Date(Date.parse(sim.world.now()) + 60_000), ledgerOnClock: true });
      // Installed in February: the ledger covers the repository for all of March.
      s.world.tick(-3 * 24 * 60);
      await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION));
      s.world.tick(3 * 24 * 60);
      for (const [author, approver] of [['alice', 'bob'], ['bob', 'carol'], ['carol', 'alice']] as const) {
        s.pullRequest({ author }).approvedBy(approver).check('ci', 'success').merge({ by: approver });
        await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
        sim.world.tick(24 * 60);
      }
      s.pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
      // The Action exports with the real clock, and the app signs only an export dated now by its own: bring the app's (simulated) clock to today.
      s.world.tick(Math.floor((Date.now() - Date.parse(s.world.now())) / 60_000));
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await sim?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('exports through the read API, signed by the app, with outputs and a job summary', async () => {
      const output = join(work, 'output.txt');
      const summary = join(work, 'summary.md');
      writeFileSync(output, '');
      writeFileSync(summary, '');
      const r = await runAction({
        INPUT_FROM: '2026-03-01', INPUT_TO: '2026-03-31', 'INPUT_LEDGER-URL': app.url, 'INPUT_LEDGER-TOKEN': API_TOKEN, 'INPUT_SIGNING-TOKEN': SIGNING_TOKEN,
        INPUT_TOKEN: 'test-token', INPUT_SEED: 'action-seed', 'INPUT_SAMPLE-SIZE': 'auto', INPUT_STRATA: 'month', 'INPUT_OUTPUT-DIR': 'evidence-package',
        GITHUB_REPOSITORY: 'acme/api', GITHUB_API_URL: sim.apiUrl, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary,
      }, work);
      expect(r.stdout).not.toContain('::error::');
      expect(r.code).toBe(0);
      expect(outputsOf(output)).toEqual({ 'output-dir': 'evidence-package', 'population-size': '4', 'sample-size': '3', exceptions: '1', seed: 'action-seed' });
      const md = readFileSync(summary, 'utf8');
      expect(md).toContain('Changeproof export: 2026-03-01 to 2026-03-31 (UTC)');
      expect(md).toContain('merged_without_passing_control');
      expect(md).toContain('acme/api#4');
      expect(md).toContain('4 items in 31 days');
      expect(md).toMatch(/Completeness: \d+ commits and 4 merged pull requests checked on GitHub, 0 gaps/);
      const logged = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      expect(logged).not.toContain(API_TOKEN);
      expect(logged).not.toContain(SIGNING_TOKEN);
      expect(r.stdout).toContain(`::add-mask::${API_TOKEN}`);
      expect(r.stdout).toContain(`::add-mask::${SIGNING_TOKEN}`);
      const report = await verifyExport(join(work, 'evidence-package'), { publicKeyPem: app.ledger.publicKeyPem() });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      const exports = await app.entries('export');
      expect(exports).toHaveLength(1);
      // The app signed what it re-derived itself: the population, sample, exceptions, evidence pages, the
      // report, the workbook, and the reconciliation with GitHub, run again through its own installation.
      expect(exports[0]!.data).toMatchObject({
        requestedBy: expect.stringMatching(/^signing token sha256:[0-9a-f]{16}$/),
        rederived: {
          fields: expect.arrayContaining(['population', 'completeness']),
          files: expect.arrayContaining(['population.csv', 'sample.csv', 'exceptions.csv', 'selection.json', 'report.html', 'sample.xlsx', 'completeness.csv']),
        },
      });
      expect((exports[0]!.data as { notRederived: string[] }).notRederived).toEqual([]);
      expect(JSON.stringify(exports[0]!.data)).not.toContain(SIGNING_TOKEN);
    }, 120_000);

    it('reads an NDJSON ledger file with the key from a secret; bad input fails the step with one clear error', async () => {
      const ndjson = join(work, 'ledger.ndjson');
      const out = createWriteStream(ndjson);
      await exportLedgerFile(app.ledgerPath, out);
      await new Promise((resolve) => out.end(resolve));
      const key = readFileSync(app.ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pem'), 'utf8');
      const base = { INPUT_PERIOD: '2026-03', 'INPUT_LEDGER-FILE': ndjson, 'INPUT_SIGNING-KEY': key, 'INPUT_OUTPUT-DIR': 'from-file', GITHUB_OUTPUT: join(work, 'o2.txt'), GITHUB_STEP_SUMMARY: join(work, 's2.md') };
      writeFileSync(base.GITHUB_OUTPUT, '');
      writeFileSync(base.GITHUB_STEP_SUMMARY, '');
      const ok = await runAction(base, work);
      expect(ok.code).toBe(0);
      expect(outputsOf(base.GITHUB_OUTPUT)['population-size']).toBe('4');
      const keyLines = key.split('\n').filter((l) => l && !l.startsWith('-----'));
      const logged = ok.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      for (const line of keyLines) expect(logged).not.toContain(line);
      expect(ok.stdout).toContain(`::add-mask::${keyLines[0]}`);
      const bad = await runAction({ ...base, 'INPUT_OUTPUT-DIR': 'bad', 'INPUT_SAMPLE-SIZE': 'lots' }, work);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('::error::changeproof export: sample size must be "auto" or a whole number ≥ 1, got "lots"');
    }, 120_000);
  });
});
