import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/export.js';
import { resolveExport, type ExportRequest } from '../../src/export/export-request.js';
import type { Manifest } from '../../src/export/manifest.js';
import { verifyExport } from '../../src/export/verify-export.js';
import { openLedgerSource } from '../../src/ledger/postgres/pg-source.js';
import { PostgresLedger } from '../../src/ledger/postgres/postgres-ledger.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import { acmeScenario, freshConnectionFetch, startApp, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { EXPORTED_AT, recordMarch } from '../support/march-history.js';
import { dropFileDatabase, freshSchema, postgresUnavailable } from '../ledger/support/postgres.js';

/**
 * Export signing by an app whose ledger is PostgreSQL: it re-derives the
 * export from the database before it signs, signs a genuine one, refuses a
 * forged one, and records both in the same chain.
 */

const skip = await postgresUnavailable();
if (skip) console.warn(`Skipping the PostgreSQL export-signing tests: ${skip}`);

const READ_TOKEN = 'read-token-for-pg-signing';
const SIGNING_TOKEN = 'signing-token-for-pg-signing';
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

let sim: GitHubSimulator;
let app: RunningApp;
let ledger: PostgresLedger;
let work: string;

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'changeproof-pg-signing-'));
  const s = acmeScenario({ start: '2026-02-26T09:00:00Z' }).user('mallory');
  s.world.tick(4 * 24 * 60);
  sim = await startGitHubSimulator(s);
  const clock = () => new Date(Date.parse(sim.world.now()) + 60_000);
  const url = await freshSchema();
  ledger = await PostgresLedger.open(url, { signingKey: generateSigningKey(), shareWork: true, clock });
  app = await startApp(sim, {
    ledger, apiToken: READ_TOKEN, signingToken: SIGNING_TOKEN, clock,
    exportSource: (toSeq) => openLedgerSource(ledger, 'postgres://127.0.0.1:5432/changeproof', toSeq),
  });
  await recordMarch(s, sim, app);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  await dropFileDatabase();
});

function request(out: string): ExportRequest {
  return { from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC', out: join(work, out), ledger: app.url, ledgerToken: READ_TOKEN, repos: [], seed: 'pg-seed', sampleSize: 'auto', strata: 'none', signingToken: SIGNING_TOKEN };
}

describe.skipIf(skip)('export signing by an app on PostgreSQL', () => {
  it('signs a genuine export re-derived from the database, and refuses (409) one with the direct push removed; both recorded', async () => {
    const options = await resolveExport(request('genuine'), { env: {}, now: () => new Date(EXPORTED_AT), fetch: freshConnectionFetch, toolVersion: 'test' });
    const result = await runExport(options).finally(() => options.source.close());
    expect(result.populationSize).toBe(4);
    const report = await verifyExport(result.out, { publicKeyPem: ledger.publicKeyPem() });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.status).toBe('intact');
    const manifestText = readFileSync(join(result.out, 'manifest.json'), 'utf8');
    expect((JSON.parse(manifestText) as Manifest).ledger.source).toBe(`${app.url}/api/changeproof/ledger`);
    const [signed] = await app.entries('export');
    expect(signed!.data).toMatchObject({ manifestSha256: sha256(manifestText), requestedBy: expect.stringMatching(/^signing token sha256:[0-9a-f]{16}$/) });

    // The forger drops the direct push from population.csv and fixes up the manifest's hash of it.
    const population = readFileSync(join(result.out, 'population.csv'), 'utf8');
    const kept = population.split('\n').filter((line) => !/direct_push/.test(line)).join('\n');
    const manifest = JSON.parse(manifestText) as Manifest;
    Object.assign(manifest.files.find((f) => f.path === 'population.csv')!, { sha256: sha256(kept), bytes: Buffer.byteLength(kept) });
    writeFileSync(join(result.out, 'population.csv'), kept);
    const forged = `${JSON.stringify(manifest, null, 2)}\n`;
    const res = await freshConnectionFetch(`${app.url}/api/changeproof/export-signature`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SIGNING_TOKEN}` },
      body: JSON.stringify({ manifest: forged, selection: readFileSync(join(result.out, 'selection.json'), 'utf8') }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { differences: string[] }).differences).toEqual(expect.arrayContaining([expect.stringMatching(/^population\.csv differs from what this ledger gives/)]));
    const [refused] = await app.entries('export_refused');
    expect(refused!.data).toMatchObject({ manifestSha256: sha256(forged) });
    expect(await app.entries('export')).toHaveLength(1);
  }, 60_000);
});
