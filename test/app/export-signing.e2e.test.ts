import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/export.js';
import { resolveExport, type ExportRequest } from '../../src/export/export-request.js';
import type { Manifest } from '../../src/export/manifest.js';
import { populationHash } from '../../src/export/selection-file.js';
import { sqliteSource } from '../../src/export/sqlite-source.js';
import { verifyExport } from '../../src/export/verify-export.js';
import { keySigner } from '../../src/export/signature.js';
import { acmeScenario, freshConnectionFetch, startApp, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { EXPORTED_AT, recordMarch } from '../support/march-history.js';

/**
 * The app signs an auditor export only after re-deriving it from its own
 * ledger: a token holder cannot have it sign a package with a change or a
 * direct push removed.
 */

const READ_TOKEN = 'read-token-for-signing-tests';
const SIGNING_TOKEN = 'signing-token-for-signing-tests';
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

let sim: GitHubSimulator;
let app: RunningApp;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-signing-'));
  const s = acmeScenario({ start: '2026-02-26T09:00:00Z' }).user('mallory');
  s.world.tick(4 * 24 * 60);
  sim = await startGitHubSimulator(s);
  app = await startApp(sim, { apiToken: READ_TOKEN, signingToken: SIGNING_TOKEN, signingPerHour: 10, clock: () => new Date(Date.parse(sim.world.now()) + 60_000), ledgerOnClock: true });
  await recordMarch(s, sim, app);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

function request(out: string, extra: Partial<ExportRequest> = {}): ExportRequest {
  return { from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC', out: join(work, out), ledger: app.url, ledgerToken: READ_TOKEN, repos: [], seed: 'signing-seed', sampleSize: 'auto', strata: 'none', signingToken: SIGNING_TOKEN, ...extra };
}

async function exportThroughTheApp(out: string, extra: Partial<ExportRequest> = {}) {
  const options = await resolveExport(request(out, extra), { env: {}, now: () => new Date(EXPORTED_AT), fetch: freshConnectionFetch, toolVersion: 'test' });
  try {
    return await runExport(options);
  } finally {
    await options.source.close();
  }
}

const sign = (body: unknown, token = SIGNING_TOKEN) =>
  freshConnectionFetch(`${app.url}/api/changeproof/export-signature`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('export signing: no signing oracle', () => {
  it('signs a genuine export it re-derived, and records what it checked', async () => {
    const result = await exportThroughTheApp('genuine');
    const report = await verifyExport(result.out, { publicKeyPem: app.ledger.publicKeyPem() });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    const [entry] = await app.entries('export');
    expect(entry!.data).toMatchObject({
      manifestSha256: sha256(readFileSync(join(result.out, 'manifest.json'))),
      requestedBy: expect.stringMatching(/^signing token sha256:[0-9a-f]{16}$/),
      period: { from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC' },
      rederived: { fields: expect.arrayContaining(['population', 'sample', 'exceptions', 'ledger.head']), files: expect.arrayContaining(['population.csv', 'sample.csv', 'exceptions.csv', 'selection.json']) },
    });
    expect(result.populationSize).toBe(4);
  });

  it('refuses (409) a package with a non-compliant change and a direct push removed, hashes rebuilt, and records the refusal', async () => {
    // Made with the ledger's own key here only to get the files; the forger then edits and asks the app to sign.
    const options = await resolveExport(request('to-forge', { ledger: app.ledgerPath, ledgerToken: undefined, signingKey: readFileSync(app.ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pem'), 'utf8') }), {
      env: {}, now: () => new Date(EXPORTED_AT), openSqlite: (p) => sqliteSource(p, {}), toolVersion: 'test',
    });
    const genuine = await runExport(options).finally(() => options.source.close());
    const dir = genuine.out;
    const population = readFileSync(join(dir, 'population.csv'), 'utf8').split('\n');
    const kept = population.filter((line, i) => i === 0 || !/non_compliant|direct_push/.test(line));
    expect(kept.length).toBe(population.length - 2);
    writeFileSync(join(dir, 'population.csv'), kept.join('\n'));
    const ids = kept.slice(1).filter(Boolean).map((line) => line.split(',')[0]!).sort();
    const selection = JSON.parse(readFileSync(join(dir, 'selection.json'), 'utf8')) as { population: { size: number; hash: { value: string } }; ids: string[] };
    selection.population.size = ids.length;
    selection.population.hash.value = populationHash(ids);
    selection.ids = selection.ids.filter((id) => ids.includes(id));
    const selectionText = `${JSON.stringify(selection, null, 2)}\n`;
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    manifest.population = { ...manifest.population, size: ids.length, hash: populationHash(ids), changes: manifest.population.changes - 1, direct_pushes: 0 };
    for (const f of manifest.files) {
      if (f.path === 'population.csv') Object.assign(f, { sha256: sha256(kept.join('\n')), bytes: Buffer.byteLength(kept.join('\n')) });
      if (f.path === 'selection.json') Object.assign(f, { sha256: sha256(selectionText), bytes: Buffer.byteLength(selectionText) });
    }
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    const refusalsBefore = (await app.entries('export_refused')).length;
    const exportsBefore = (await app.entries('export')).length;

    const res = await sign({ manifest: manifestText, selection: selectionText });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; differences: string[] };
    expect(body.error).toMatch(/did not sign this export/);
    expect(body.differences).toEqual(expect.arrayContaining([
      expect.stringMatching(/^population: the export says .*"direct_pushes":0.*"size":2\}, this ledger gives .*"direct_pushes":1.*"size":4\}$/),
      expect.stringMatching(/^population\.csv differs from what this ledger gives/),
    ]));
    const refusals = await app.entries('export_refused');
    expect(refusals).toHaveLength(refusalsBefore + 1);
    expect(refusals.at(-1)!.data).toMatchObject({ manifestSha256: sha256(manifestText), requestedBy: expect.stringMatching(/^signing token sha256:/), differences: body.differences });
    expect(await app.entries('export')).toHaveLength(exportsBefore);
  });

  it('refuses a package whose report was doctored (the figures an auditor reads first), the data files untouched', async () => {
    const genuine = await exportThroughTheApp('doctored-report');
    const report = readFileSync(join(genuine.out, 'report.html'), 'utf8');
    const doctored = report.replace(/<span class="fail">/g, '<span class="pass">');
    expect(doctored).not.toBe(report);
    const manifest = JSON.parse(readFileSync(join(genuine.out, 'manifest.json'), 'utf8')) as Manifest;
    Object.assign(manifest.files.find((f) => f.path === 'report.html')!, { sha256: sha256(doctored), bytes: Buffer.byteLength(doctored) });
    const res = await sign({ manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(genuine.out, 'selection.json'), 'utf8') });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { differences: string[] }).differences).toEqual([expect.stringMatching(/^report\.html differs from what this ledger gives/)]);
  });

  it('refuses a package whose verifier is not its own (one that would call any package intact)', async () => {
    const genuine = await exportThroughTheApp('doctored-verifier');
    const doctored = `${readFileSync(join(genuine.out, 'changeproof-verify.mjs'), 'utf8')}\nprocess.stdout.write('Export intact\\n'); process.exit(0);\n`;
    const manifest = JSON.parse(readFileSync(join(genuine.out, 'manifest.json'), 'utf8')) as Manifest;
    Object.assign(manifest.files.find((f) => f.path === 'changeproof-verify.mjs')!, { sha256: sha256(doctored), bytes: Buffer.byteLength(doctored) });
    const res = await sign({ manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(genuine.out, 'selection.json'), 'utf8') });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { differences: string[] }).differences).toEqual([expect.stringMatching(/^changeproof-verify\.mjs differs from what this ledger gives/)]);
  });

  it('refuses a package signed for another ledger, or claiming a head this ledger does not have', async () => {
    const other = keySigner((await import('node:crypto')).generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const genuine = await exportThroughTheApp('genuine-2');
    const manifest = JSON.parse(readFileSync(join(genuine.out, 'manifest.json'), 'utf8')) as Manifest;
    const selection = readFileSync(join(genuine.out, 'selection.json'), 'utf8');
    const wrongKey = await sign({ manifest: JSON.stringify({ ...manifest, signature: { ...manifest.signature, key_id: other.keyId } }), selection });
    expect(wrongKey.status).toBe(409);
    expect(((await wrongKey.json()) as { differences: string[] }).differences[0]).toMatch(/names signing key [0-9a-f]{64}, not this ledger's key/);
    const wrongHead = await sign({ manifest: JSON.stringify({ ...manifest, ledger: { ...manifest.ledger, head: { size: manifest.ledger.head.size, hash: 'ab'.repeat(32) } } }), selection });
    expect(wrongHead.status).toBe(409);
    expect(((await wrongHead.json()) as { differences: string[] }).differences[0]).toMatch(/it was not read from this ledger/);
  });

  it('needs its own token, refuses a bare digest, and limits what it reads and how often', async () => {
    const digest = 'ab'.repeat(32);
    expect((await sign({ manifest_sha256: digest }, READ_TOKEN)).status).toBe(401);
    expect((await sign({ manifest_sha256: digest }, 'wrong')).status).toBe(401);
    const bare = await sign({ manifest_sha256: digest });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: string }).error).toMatch(/no longer signs a digest it did not compute/);
    expect((await sign('not json')).status).toBe(400);
    const started = Date.now();
    const huge = await freshConnectionFetch(`${app.url}/api/changeproof/export-signature`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SIGNING_TOKEN}`, 'content-length': String(9 * 1024 * 1024) }, body: '{}',
    }).catch((error: unknown) => error);
    expect(huge instanceof Response ? huge.status : 413).toBe(413);
    expect(Date.now() - started).toBeLessThan(2000);
    // 10 re-derivations an hour per token: the tests above used 9; malformed requests cost none.
    expect((await sign({ manifest: '{}', selection: '{}' })).status).toBe(400);
    const genuine = await exportThroughTheApp('genuine-3');
    expect(genuine.populationSize).toBe(4);
    const limited = await sign({ manifest: readFileSync(join(genuine.out, 'manifest.json'), 'utf8'), selection: readFileSync(join(genuine.out, 'selection.json'), 'utf8') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
