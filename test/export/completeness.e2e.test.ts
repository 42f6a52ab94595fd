import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Manifest } from '../../src/export/manifest.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, startApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { mergeAndPush } from '../support/merge-and-push.js';
import { installationPayload } from '../support/webhooks.js';

/**
 * Completeness by ancestry and coverage: a direct push the app never saw,
 * backdated to 2019 and signed with a formula for a name, is still found
 * (by parent links from the head the ledger knew before the period) and
 * lands in completeness.csv as text; a period the ledger did not cover is
 * refused unless the export is told to go ahead, and then says so.
 */

let s: ScenarioBuilder;
let sim: GitHubSimulator;
let app: RunningApp;
let work: string;
let ledgerPath: string;
let lost: string;
const FORMULA = '=HYPERLINK("https://evil.example/?x=1","click")';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const stream = (push: (s: string) => void) => new Writable({ write(chunk, _e, done) { push(String(chunk)); done(); } });
  const code = await main(argv, { stdout: stream((c) => (out += c)), stderr: stream((c) => (err += c)), env });
  return { code, out, err };
}

const mainHead = () => s.currentRepository().branches.get('main')!;


beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-completeness-'));
  s = acmeScenario({ start: '2026-02-26T09:00:00Z' }).user('mallory');
  sim = await startGitHubSimulator(s);
  app = await startApp(sim, { clock: () => new Date(Date.parse(sim.world.now()) + 60_000), ledgerOnClock: true });
  await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION));
  // February: one reviewed change, its push recorded — where main stood when March began.
  await mergeAndPush(s, sim, app, 'alice', 'bob');
  sim.world.tick(3 * 24 * 60);
  // March: a reviewed change; then a direct push whose webhook never arrived, its dates set to 2019
  // and its author named as a spreadsheet formula; then another reviewed change, recorded.
  await mergeAndPush(s, sim, app, 'bob', 'carol');
  s.file('src/backdoor.ts', 'export const open = true;\n', { author: { name: FORMULA, email: 'nobody@evil.example' }, date: '2019-06-01T12:00:00Z' });
  lost = mainHead();
  await mergeAndPush(s, sim, app, 'carol', 'alice');
  ledgerPath = app.ledgerPath;
  await app.close();
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('completeness by ancestry', () => {
  it('finds a lost direct push backdated to 2019, and writes its author as text', async () => {
    const out = join(work, 'march');
    const r = await cli(['export', '--ledger', ledgerPath, '--from', '2026-03-01', '--to', '2026-03-31', '--repo', 'acme/api', '--seed', 's', '--out', out], { GITHUB_TOKEN: 'test-token', ...sim.env });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(join(out, 'completeness.csv')), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([expect.objectContaining({ repo: 'acme/api', gap: 'commit_not_recorded', commit_sha: lost, author: `'${FORMULA}`, occurred_at: '2019-06-01T12:00:00Z' })]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.completeness?.methods).toEqual([{ repo: 'acme/api', method: 'ancestry', detail: expect.stringMatching(/^by ancestry: the commits of main since its head [0-9a-f]{40} of 2026-02-\d\dT/) }]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('by ancestry');
  });
});

describe('coverage', () => {
  const exportOf = (name: string, from: string, to: string, extra: string[] = []) =>
    cli(['export', '--ledger', ledgerPath, '--from', from, '--to', to, '--repo', 'acme/api', '--seed', 's', '--out', join(work, name), ...extra]);

  it('refuses a period that starts before the ledger covered the repository, naming from when it does', async () => {
    const r = await exportOf('february', '2026-02-01', '2026-02-28');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^changeproof export: the ledger does not cover all of 2026-02-01\.\.2026-02-28, which starts 2026-02-01T00:00:00\.000Z: acme\/api from 2026-02-26T09:\d\d:00\.000Z\. .*--allow-partial-coverage/);
  });

  it('exports it anyway when told to, and says so in the manifest, the report and the summary', async () => {
    const r = await exportOf('february-partial', '2026-02-01', '2026-02-28', ['--allow-partial-coverage']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('PARTIAL COVERAGE: the ledger covers acme/api from 2026-02-26T');
    const manifest = JSON.parse(readFileSync(join(work, 'february-partial', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.coverage).toEqual({ partial: true, partial_allowed: true, repositories: [{ repository: 'acme/api', from: expect.stringMatching(/^2026-02-26T/), covers: 'partial' }] });
    expect(readFileSync(join(work, 'february-partial', 'report.html'), 'utf8')).toContain('Partial coverage');
    expect((await cli(['verify-export', join(work, 'february-partial'), '--public-key', ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem')])).code).toBe(0);
  });

  it('refuses a period the ledger covers for no repository, even when told to go ahead', async () => {
    const r = await exportOf('january', '2026-01-01', '2026-01-31', ['--allow-partial-coverage']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the ledger covers acme\/api for none of 2026-01-01\.\.2026-01-31/);
  });

  it('a period fully covered says so', async () => {
    const r = await exportOf('march-covered', '2026-03-01', '2026-03-31');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(work, 'march-covered', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.coverage).toMatchObject({ partial: false, partial_allowed: false, repositories: [{ repository: 'acme/api', covers: 'whole' }] });
  });
});
