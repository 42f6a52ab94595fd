import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport, type CompletenessResult } from '../../src/export/export.js';
import { SigningRefusedError } from '../../src/export/signature.js';
import { resolveExport } from '../../src/export/export-request.js';
import type { Manifest } from '../../src/export/manifest.js';
import { verifyExport } from '../../src/export/verify-export.js';
import { acmeScenario, freshConnectionFetch, INSTALLATION_ID as INSTALLATION, startApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { mergeAndPush } from '../support/merge-and-push.js';
import { installationPayload } from '../support/webhooks.js';

/**
 * The app signs an export's reconciliation with GitHub only after running it
 * again itself: a holder of the signing token who deletes the row of a lost
 * direct push from completeness.csv (and the gap from the summary) does not
 * get the package signed. The workbook, which shows the same rows, is
 * re-derived too.
 */

const READ_TOKEN = 'read-token-for-completeness-signing';
const SIGNING_TOKEN = 'signing-token-for-completeness-signing';

let s: ScenarioBuilder;
let sim: GitHubSimulator;
let app: RunningApp;
let work: string;
let lost: string;

const mainHead = () => s.currentRepository().branches.get('main')!;
const now = () => new Date(Date.parse(sim.world.now()) + 60_000);


beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-signing-completeness-'));
  s = acmeScenario({ start: '2026-02-26T09:00:00Z' }).user('mallory');
  sim = await startGitHubSimulator(s);
  app = await startApp(sim, { apiToken: READ_TOKEN, signingToken: SIGNING_TOKEN, signingPerHour: 20, clock: now, ledgerOnClock: true });
  await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION));
  await mergeAndPush(s, sim, app, 'alice', 'bob');
  sim.world.tick(3 * 24 * 60);
  // March: a reviewed change, a direct push whose webhook never arrived, another reviewed change.
  await mergeAndPush(s, sim, app, 'bob', 'carol');
  s.file('src/backdoor.ts', 'export const open = true;\n', { author: 'mallory' });
  lost = mainHead();
  await mergeAndPush(s, sim, app, 'carol', 'alice');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

/** An export through the app, its reconciliation with GitHub passed through `edit` (a forger's hand) before it is written. */
async function exportWithCompleteness(out: string, edit: (r: CompletenessResult) => CompletenessResult = (r) => r) {
  const options = await resolveExport(
    { from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC', out: join(work, out), ledger: app.url, ledgerToken: READ_TOKEN, repos: ['acme/api'], seed: 'completeness-seed', sampleSize: 'auto', strata: 'none', signingToken: SIGNING_TOKEN, githubToken: 'test-token' },
    { env: sim.env, now, fetch: freshConnectionFetch, toolVersion: 'test' },
  );
  const reconcile = options.completeness!;
  try {
    return await runExport({ ...options, completeness: async (recorded, period) => edit(await reconcile(recorded, period)) });
  } finally {
    await options.source.close();
  }
}

describe('export signing re-runs the reconciliation with GitHub', () => {
  it('signs a genuine export after reconciling it again, and records completeness.csv and the workbook as re-derived', async () => {
    const result = await exportWithCompleteness('genuine');
    expect(readFileSync(join(result.out, 'completeness.csv'), 'utf8')).toContain(lost);
    expect((await verifyExport(result.out, { publicKeyPem: app.ledger.publicKeyPem() })).status).toBe('intact');
    const record = (await app.entries('export')).at(-1)!.data as { rederived: { fields: string[]; files: string[] }; notRederived: string[] };
    expect(record.rederived.fields).toContain('completeness');
    expect(record.rederived.files).toEqual(expect.arrayContaining(['completeness.csv', 'sample.xlsx', 'report.html']));
    expect(record.notRederived).toEqual([]);
  });

  it('refuses an export whose lost direct push was taken out of the reconciliation (completeness.csv, summary, report and workbook made to agree)', async () => {
    const refusalsBefore = (await app.entries('export_refused')).length;
    const exportsBefore = (await app.entries('export')).length;
    const forged = exportWithCompleteness('forged', (r) => ({ ...r, rows: r.rows.filter((row) => row[2] !== lost), summary: { ...r.summary, gaps: r.summary.gaps - 1 } }));
    await expect(forged).rejects.toThrow(SigningRefusedError);
    const error = (await forged.catch((e: unknown) => e)) as SigningRefusedError;
    expect(error.differences).toEqual(expect.arrayContaining([
      expect.stringMatching(/^completeness: the export says .*"gaps":0.*, GitHub and this ledger give .*"gaps":1/),
      expect.stringMatching(/^completeness\.csv differs from what GitHub and this ledger give/),
      expect.stringMatching(/^sample\.xlsx differs from what this ledger gives/),
    ]));
    expect(await app.entries('export_refused')).toHaveLength(refusalsBefore + 1);
    expect(await app.entries('export')).toHaveLength(exportsBefore);
  });

  it('refuses an export that reconciled only some of the repositories it covers', async () => {
    const result = await exportWithCompleteness('partial-reconciliation');
    const manifest = JSON.parse(readFileSync(join(result.out, 'manifest.json'), 'utf8')) as Manifest;
    manifest.completeness!.repositories = [];
    const res = await freshConnectionFetch(`${app.url}/api/changeproof/export-signature`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SIGNING_TOKEN}` },
      body: JSON.stringify({ manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(result.out, 'selection.json'), 'utf8') }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { differences: string[] }).differences).toEqual([
      'completeness: the export reconciled no repository with GitHub, not the repositories it covers (acme/api); an export reconciles all of them',
    ]);
  });
});
