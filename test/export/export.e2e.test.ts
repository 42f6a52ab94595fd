import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, symlinkSync } from 'node:fs';
import { keyIdOf, publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { exportLedgerFile } from '../../src/ledger/ledger-file.js';
import { nodeBinary } from '../support/node-binary.js';
import { openReadOnly } from '../../src/ledger/sqlite-connection.js';
import { iterateStored, toLedgerEntry } from '../../src/ledger/sqlite-reader.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, startApp, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import { deploymentProtectionRulePayload, deploymentStatusPayload, installationPayload, pullRequestPayload, pullRequestReviewPayload, pushPayload } from '../support/webhooks.js';

/**
 * The export end to end: a real ledger written by the real app from signed
 * webhooks (served by the GitHub simulator), exported with the CLI, checked
 * with verify-export, then tampered with in every way an export can be.
 */

function capture() {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  return {
    io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: {} as NodeJS.ProcessEnv },
    get out() { return out; },
    get err() { return err; },
  };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const c = capture();
  c.io.env = env;
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

const mainHead = (sim: GitHubSimulator) => sim.world.repo('acme/api').branches.get('main')!;

let s: ScenarioBuilder;
let sim: GitHubSimulator;
let app: RunningApp;
let work: string;
let ledgerPath: string;
let neverSeenPull: number;
let neverSeenPush: string;

async function merge(build: (s: ScenarioBuilder) => ScenarioBuilder, by = 'carol', author = 'alice') {
  build(s.pullRequest({ author })).merge({ by });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION }));
  sim.world.tick(24 * 60);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-export-e2e-'));
  // The repository is set up in February; everything after happens in March.
  s = acmeScenario({ start: '2026-02-26T09:00:00Z' }).user('dave').user('mallory');
  s.world.tick(4 * 24 * 60);
  sim = await startGitHubSimulator(s);
  app = await startApp(sim, { clock: () => new Date(Date.parse(sim.world.now()) + 60_000), ledgerOnClock: true });
  // Installed in February: the ledger covers the repository for all of March.
  s.world.tick(-3 * 24 * 60);
  await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION));
  s.world.tick(3 * 24 * 60);
  // Twelve compliant changes over March, one merged while failing, one emergency approved late.
  for (let i = 0; i < 12; i += 1) await merge((x) => x.approvedBy(i % 3 ? 'bob' : 'dave').check('ci', 'success'), 'carol', i % 3 ? 'alice' : 'bob');
  await merge((x) => x.check('ci', 'failure'), 'alice');
  s.pullRequest({ author: 'alice', labels: ['emergency'] }).check('ci', 'success').merge({ by: 'alice' });
  const emergency = s.pr();
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', emergency.number, 'closed', { installationId: INSTALLATION }));
  sim.world.tick(72 * 60);
  s.approvedBy('bob');
  await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', emergency.number, emergency.reviews.at(-1)!.id, { installationId: INSTALLATION }));
  // A gated deployment to production, approved (the emergency was approved), then successful.
  const payload = deploymentProtectionRulePayload(sim, 'acme/api', { sha: mainHead(sim), installationId: INSTALLATION, sender: 'carol' });
  await app.deliverAndSettle('deployment_protection_rule', payload);
  const deploymentId = Number((payload as { deployment: { id: number } }).deployment.id);
  await app.deliverAndSettle('deployment_status', deploymentStatusPayload(sim, 'acme/api', { deploymentId, sha: mainHead(sim), state: 'success', installationId: INSTALLATION }));
  // A direct push the app saw.
  const before = mainHead(sim);
  s.file('src/hotfix.ts', 'export const fixed = true;\n', { author: 'mallory' });
  await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after: mainHead(sim), pusher: 'mallory', forced: false, installationId: INSTALLATION }));
  // What the ledger never saw: a merged pull request and a direct push whose webhooks were lost.
  sim.world.tick(60);
  s.pullRequest({ author: 'bob' }).approvedBy('alice').check('ci', 'success').merge({ by: 'carol' });
  neverSeenPull = s.pr().number;
  sim.world.tick(60);
  s.file('src/sneaky.ts', 'export const sneaky = true;\n', { author: 'mallory' });
  neverSeenPush = mainHead(sim);
  ledgerPath = app.ledgerPath;
  await app.close();
}, 120_000);

afterAll(async () => {
  await sim?.close();
  if (!process.env['KEEP_EXPORT_TEST']) rmSync(work, { recursive: true, force: true });
  else console.log(work);
});

const MARCH = ['--from', '2026-03-01', '--to', '2026-03-31'];
/** The ledger's public key, as the auditor obtained it from the app. */
const publicKeyFile = () => ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem');
const keyId = () => keyIdOf(publicKeyFromPem(readFileSync(publicKeyFile(), 'utf8')));

describe('changeproof export and verify-export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work, 'march');
    const r = await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', dir, '--seed', 'audit-2026', '--sample-size', '5', '--repo', 'acme/api', '--json'],
      { GITHUB_TOKEN: 'test-token', ...sim.env });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('writes every file of SPEC §5 and a summary of what it found', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const paths = manifest.files.map((f: { path: string }) => f.path);
    for (const f of ['population.csv', 'sample.csv', 'sample.xlsx', 'exceptions.csv', 'report.html', 'selection.json', 'completeness.csv', 'public-key.pem']) {
      expect(paths).toContain(f);
    }
    expect(paths.filter((p: string) => p.startsWith('evidence/'))).toHaveLength(5);
    expect(manifest.population).toMatchObject({ size: 16, changes: 14, direct_pushes: 1, deployments: 1 });
    expect(manifest.ledger.head.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.ledger.checkpoint).not.toBeNull();
    expect(manifest.parameters).toMatchObject({ from: '2026-03-01', to: '2026-03-31', seed: 'audit-2026', 'sample-size': '5', completeness: 'github' });
    expect(JSON.stringify(manifest)).not.toContain('test-token');
  });

  it('an export signed with the ledger key held locally is recorded in the ledger, with its manifest hash', () => {
    const digest = createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex');
    const db = openReadOnly(ledgerPath);
    try {
      const exports = [...iterateStored(db, { kinds: ['export'] })].map(toLedgerEntry);
      expect(exports.find((e) => e.subject === `export/${digest}`)?.data).toMatchObject({
        manifestSha256: digest, requestedBy: 'changeproof export (the ledger key, held locally)', period: { from: '2026-03-01', to: '2026-03-31' }, repositories: ['acme/api'],
      });
    } finally {
      db.close();
    }
  });

  it('population.csv has one row per change, direct push and gated deployment, with the evidence columns', () => {
    const rows = parse(readFileSync(join(dir, 'population.csv')), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(16);
    const failing = rows.find((r) => r['verdict'] === 'non_compliant')!;
    expect(failing).toMatchObject({ kind: 'change', merged_by: 'alice', exceptions: 'merged_without_passing_control: open' });
    expect(failing['checks']).toMatch(/^ci: failure \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
    const emergency = rows.find((r) => r['verdict'] === 'emergency')!;
    expect(emergency['exceptions']).toBe('emergency_change: resolved_late');
    const compliant = rows.find((r) => r['verdict'] === 'compliant')!;
    expect(compliant['approvers']).toMatch(/^(bob|dave) \(\d{4}-\d\d-\d\dT[\d:]+Z, commit [0-9a-f]{40}, counted\)$/);
    expect(compliant['merge_sha']).toMatch(/^[0-9a-f]{40}$/);
    expect(compliant['ledger_hash']).toMatch(/^[0-9a-f]{64}$/);
    const push = rows.find((r) => r['kind'] === 'direct_push')!;
    expect(push).toMatchObject({ author: 'mallory', verdict: 'direct_push', exceptions: 'direct_push: open' });
    const deployment = rows.find((r) => r['kind'] === 'deployment')!;
    expect(deployment).toMatchObject({ verdict: 'approved', author: 'carol' });
    expect(deployment['merge_sha']).toMatch(/^[0-9a-f]{40}$/);
    expect(rows.filter((r) => r['deployments'].includes('production deployment'))).not.toHaveLength(0);
  });

  it('exceptions.csv lists every exception with its resolution', () => {
    const rows = parse(readFileSync(join(dir, 'exceptions.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => `${r['type']}:${r['status']}`).sort()).toEqual(['direct_push:open', 'emergency_change:resolved_late', 'merged_without_passing_control:open']);
    const late = rows.find((r) => r['status'] === 'resolved_late')!;
    expect(late).toMatchObject({ resolved_by: 'bob' });
    expect(late['resolution_ledger_hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('completeness finds the merged pull request and the direct push the ledger never saw, and nothing else', () => {
    const rows = parse(readFileSync(join(dir, 'completeness.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['gap']).sort()).toEqual(['commit_not_recorded', 'merged_pull_request_not_recorded']);
    const pr = rows.find((r) => r['gap'] === 'merged_pull_request_not_recorded')!;
    expect(pr).toMatchObject({ pull_number: String(neverSeenPull), reconstructed: 'yes', reconstructed_verdict: 'compliant', author: 'bob' });
    const push = rows.find((r) => r['gap'] === 'commit_not_recorded')!;
    expect(push).toMatchObject({ commit_sha: neverSeenPush, reconstructed: 'no' });
  });

  it('sample.xlsx reads back with the sample, tick-mark columns and the other sheets', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'sample.xlsx'));
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Instructions', 'Sample', 'Exceptions', 'Population', 'Completeness', 'Method']);
    const sample = workbook.getWorksheet('Sample')!;
    const header = (sample.getRow(1).values as string[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['Item', 'Kind', 'Title']);
    expect(header).toEqual(expect.arrayContaining(['Changeproof: Peer review', 'Auditor: Peer review', 'Auditor: Separation of duties', 'Auditor: Deployment', 'Auditor notes']));
    expect(sample.rowCount).toBe(6);
    const csvRows = parse(readFileSync(join(dir, 'sample.csv')), { columns: true }) as Record<string, string>[];
    expect(csvRows.map((r) => r['id'])).toEqual([2, 3, 4, 5, 6].map((r) => (sample.getRow(r).getCell(1).value as { text: string }).text));
    expect(sample.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sample.getRow(1).font?.bold).toBe(true);
    expect(workbook.getWorksheet('Population')!.rowCount).toBe(17);
    expect(workbook.getWorksheet('Exceptions')!.rowCount).toBe(4);
  });

  it('the auditor guide\'s recipe verifies the package without Changeproof (openssl, then sha256sum against the signed manifest)', async () => {
    const { spawnSync } = await import('node:child_process');
    const guide = readFileSync(new URL('../../docs/auditor-guide.md', import.meta.url), 'utf8');
    const start = guide.indexOf('### Without Changeproof');
    const section = guide.slice(start, guide.indexOf('\n## ', start));
    // The recipe's shell blocks, in order (indented under their steps): signature, every file against the manifest, nothing added.
    const blocks = [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)].map((m) => m[2]!.split('\n').map((line) => line.slice(m[1]!.length)).join('\n'));
    expect(blocks).toHaveLength(3);
    const recipe = (pkg: string) => spawnSync('bash', ['-c', `set -eo pipefail\n${blocks.join('\n')}`], { cwd: pkg, encoding: 'utf8', env: { ...process.env, KEY: publicKeyFile() } });
    const r = recipe(dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Signature Verified Successfully');
    expect(r.stdout.split('\n').filter((line) => line && line !== 'Signature Verified Successfully' && !line.endsWith(': OK'))).toEqual([]);

    // SHA256SUMS is not signed: a file changed and its line rewritten passes `sha256sum -c SHA256SUMS`, never the recipe.
    const changed = mkdtempSync(join(tmpdir(), 'changeproof-recipe-'));
    try {
      cpSync(dir, changed, { recursive: true });
      appendFileSync(join(changed, 'population.csv'), 'acme/api#999,acme/api,change\r\n');
      const sum = createHash('sha256').update(readFileSync(join(changed, 'population.csv'))).digest('hex');
      writeFileSync(join(changed, 'SHA256SUMS'), readFileSync(join(changed, 'SHA256SUMS'), 'utf8').replace(/^[0-9a-f]{64}(  population\.csv)$/m, `${sum}$1`));
      expect(spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: changed }).status).toBe(0);
      const t = recipe(changed);
      expect(t.status).not.toBe(0);
      expect(t.stdout).toContain('population.csv: FAILED');
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });

  it('verify-export passes on the fresh export with the key the auditor was given; without one, signatures are unverified (exit 3)', async () => {
    const r = await cli(['verify-export', dir, '--public-key', publicKeyFile()]);
    expect(r.out).toContain('Export intact');
    expect(r.code).toBe(0);
    const byId = await cli(['verify-export', dir, '--key-id', keyId()]);
    expect(byId.code).toBe(0);
    const none = await cli(['verify-export', dir]);
    expect(none.code).toBe(3);
    expect(none.out).toMatch(/^Signatures UNVERIFIED: the files agree with each other/);
    expect(none.out).toContain('? signature: NOT verified: no key was given');
  });

  it('verify-export pins the key the auditor obtained: the ledger\'s passes, any other fails', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const own = ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem');
    const pinned = await cli(['verify-export', dir, '--public-key', own, '--json']);
    expect(pinned.code).toBe(0);
    expect(JSON.parse(pinned.out)).toMatchObject({ ok: true, checks: expect.arrayContaining([expect.objectContaining({ name: 'signing key', detail: expect.stringContaining('(the key given)') })]) });
    const other = join(work, 'other-key.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await cli(['verify-export', dir, '--public-key', other]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/manifest\.json: signing key: the manifest names key [0-9a-f]{64}, the key given is [0-9a-f]{64}/);
    const wrongId = await cli(['verify-export', dir, '--key-id', 'ab'.repeat(32)]);
    expect(wrongId.code).toBe(1);
    expect(wrongId.out).toMatch(/the package's public key has id [0-9a-f]{64}, not the id given abab/);
    expect((await cli(['verify-export', dir, '--key-id', 'nothex'])).code).toBe(2);
    expect((await cli(['verify-export', join(work, 'no-such-dir'), '--public-key', publicKeyFile()])).code).toBe(2);
  });

  describe('the verifier every package carries (changeproof-verify.mjs), run by plain Node', () => {
    const run = async (node: string, args: string[], cwd = work) => {
      const { spawnSync } = await import('node:child_process');
      // No node_modules anywhere near: the file must carry everything it needs.
      const r = spawnSync(node, args, { cwd, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const nodes: [string, () => string][] = [
      ['this Node', () => process.execPath],
      ['Node 18', () => nodeBinary(18)],
      ['Node 24', () => nodeBinary(24)],
    ];

    it("is this build's verifier, listed in the manifest like every file", () => {
      const bundled = readFileSync(join(dir, 'changeproof-verify.mjs'));
      expect(bundled).toEqual(readFileSync(new URL('../../dist/verifier/changeproof-verify.mjs', import.meta.url)));
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      expect(manifest.files).toContainEqual({ path: 'changeproof-verify.mjs', bytes: bundled.length, sha256: createHash('sha256').update(bundled).digest('hex') });
    });

    for (const [name, node] of nodes) {
      it(`${name}: intact with the key (exit 0), unverified without (3), tampered (1), bad usage (2)`, async () => {
        const outside = mkdtempSync(join(tmpdir(), 'changeproof-auditor-'));
        cpSync(dir, join(outside, 'package'), { recursive: true });
        cpSync(publicKeyFile(), join(outside, 'key.pem'));
        const pkg = join(outside, 'package');
        const verifier = join(pkg, 'changeproof-verify.mjs');
        const ok = await run(node(), [verifier, '--public-key', join(outside, 'key.pem')], outside);
        expect(ok.err).toBe('');
        expect(ok.out).toContain('Export intact');
        expect(ok.code).toBe(0);
        expect((await run(node(), [verifier, 'verify-export', pkg, '--key-id', keyId()])).code).toBe(0);
        const none = await run(node(), [verifier]);
        expect(none.code).toBe(3);
        expect(none.out).toContain('Signatures UNVERIFIED');
        const version = await run(node(), [verifier, '--version']);
        expect(version.out).toContain(`sha256 ${createHash('sha256').update(readFileSync(verifier)).digest('hex')}`);
        appendFileSync(join(pkg, 'exceptions.csv'), 'x');
        const bad = await run(node(), [verifier, '--public-key', join(outside, 'key.pem')]);
        expect(bad.code).toBe(1);
        expect(bad.out).toMatch(/exceptions\.csv: file (hash|size)/);
        expect((await run(node(), [verifier, '--key-id', 'nothex'])).code).toBe(2);
        rmSync(outside, { recursive: true, force: true });
      }, 60_000);
    }

    it('checks an NDJSON ledger and reads its key from it', async () => {
      const ndjson = join(work, 'standalone-ledger.ndjson');
      const { createWriteStream } = await import('node:fs');
      const stream = createWriteStream(ndjson);
      await exportLedgerFile(ledgerPath, stream);
      await new Promise((resolve) => stream.end(resolve));
      const verifier = join(dir, 'changeproof-verify.mjs');
      const ok = await run(process.execPath, [verifier, 'verify', '--ledger', ndjson, '--public-key', publicKeyFile()]);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      const key = await run(process.execPath, [verifier, 'public-key', '--ledger', ndjson]);
      expect(key.code).toBe(0);
      expect(key.out).toContain(keyId());
      const sqlite = await run(process.execPath, [verifier, 'verify', '--ledger', ledgerPath, '--public-key', publicKeyFile()]);
      expect(sqlite.code).not.toBe(0);
      expect(sqlite.err + sqlite.out).toMatch(/NDJSON/);
    });

    it('dist/verifier is the bundle of the current sources, without SQLite, Probot or Octokit', async () => {
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(process.execPath, [new URL('../../scripts/build-verifier.mjs', import.meta.url).pathname, '--check'], { encoding: 'utf8' });
      expect(r.stderr).toContain('dist/verifier is up to date');
      expect(r.status).toBe(0);
    });
  });

  /**
   * Rewrites files of a copy of the package, then its manifest (hashes and
   * sizes), signature and SHA256SUMS, signed by `signer`: what a holder of a
   * signing key can do.
   */
  async function resign(copy: string, signer: { keyId: string; publicKeyPem: string; sign: (bytes: Buffer, dir: string) => Promise<string> }, files: Record<string, string | Buffer>) {
    const { createHash } = await import('node:crypto');
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
    manifest.signature.key_id = signer.keyId;
    for (const [path, content] of Object.entries(files)) {
      writeFileSync(join(copy, path), content);
      Object.assign(manifest.files.find((f: { path: string }) => f.path === path), { sha256: sha(content), bytes: Buffer.byteLength(content) });
    }
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(copy, 'manifest.json'), bytes);
    const signature = `${await signer.sign(bytes, copy)}\n`;
    writeFileSync(join(copy, 'manifest.json.sig'), signature);
    const sums = readFileSync(join(copy, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean).map((line) => {
      const path = line.slice(66);
      const now = path === 'manifest.json' ? bytes : path === 'manifest.json.sig' ? signature : files[path];
      return `${now === undefined ? line.slice(0, 64) : sha(now)}  ${path}`;
    });
    writeFileSync(join(copy, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  }

  it('a package re-signed with another key (its own public-key.pem, key id and SHA256SUMS) fails with the real key, and is only "unverified" without one', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { keySigner } = await import('../../src/export/signature.js');
    const copy = join(work, 'resigned');
    cpSync(dir, copy, { recursive: true });
    const forger = keySigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await resign(copy, forger, { 'public-key.pem': forger.publicKeyPem });
    expect((await cli(['verify-export', copy, '--public-key', publicKeyFile()])).code).toBe(1);
    expect((await cli(['verify-export', copy, '--key-id', keyId()])).code).toBe(1);
    expect((await cli(['verify-export', copy])).code).toBe(3);
  });

  it('--ledger derives the package again from the ledger: an edit re-signed with the real key passes the signature, not the ledger', async () => {
    const { keySigner } = await import('../../src/export/signature.js');
    const fresh = await cli(['verify-export', dir, '--public-key', publicKeyFile(), '--ledger', ledgerPath, '--json']);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.out).checks).toContainEqual(expect.objectContaining({ name: 'ledger re-derivation', ok: true, detail: expect.stringContaining('population.csv') }));
    // The holder of the ledger's private key turns a non-compliant change into a compliant one.
    const copy = join(work, 'forged-with-the-real-key');
    cpSync(dir, copy, { recursive: true });
    const holder = keySigner(readFileSync(ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pem'), 'utf8'));
    const population = readFileSync(join(dir, 'population.csv'), 'utf8');
    expect(population).toContain(',non_compliant,');
    await resign(copy, holder, { 'population.csv': population.replace(',non_compliant,', ',compliant,') });
    expect((await cli(['verify-export', copy, '--public-key', publicKeyFile()])).code).toBe(0);
    const r = await cli(['verify-export', copy, '--public-key', publicKeyFile(), '--ledger', ledgerPath]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/population\.csv: ledger re-derivation: population\.csv differs from what this ledger gives/);
    expect((await cli(['verify-export', copy, '--ledger', ledgerPath])).code).toBe(2);
  });

  describe('a hostile manifest is refused without opening what it names, within a second', () => {
    const hostile = (name: string, path: string, setup: (d: string) => void = () => undefined) =>
      it(name, async () => {
        const copy = join(work, `hostile-${name.replace(/\W+/g, '-')}`);
        cpSync(dir, copy, { recursive: true });
        setup(copy);
        const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
        manifest.files.push({ path, bytes: 1 << 30, sha256: 'ab'.repeat(32) });
        writeFileSync(join(copy, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
        // Timed only to catch a hang (a file hashed forever), not for speed.
        const started = Date.now();
        const withKey = await cli(['verify-export', copy, '--public-key', publicKeyFile(), '--json']);
        expect(withKey.code).toBe(1);
        // With the auditor's key, the bad signature stops everything: nothing else is read.
        expect(JSON.parse(withKey.out).checks.at(-1)).toMatchObject({ name: 'signature', ok: false, detail: expect.stringContaining('nothing else was read') });
        const withoutKey = await cli(['verify-export', copy, '--json']);
        expect(withoutKey.code).toBe(1);
        expect(JSON.parse(withoutKey.out).checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'file path', ok: false, detail: expect.stringMatching(/refused|not a regular file|symbolic link/) })]));
        expect(Date.now() - started).toBeLessThan(5000);
      });
    hostile('a path with ..', '../../etc/hostname');
    hostile('an absolute path', '/etc/hostname');
    hostile('a device', '/dev/zero');
    hostile('a symbolic link', 'evidence/link.html', (d) => symlinkSync('/dev/zero', join(d, 'evidence', 'link.html')));
    hostile('a symbolic link to a directory on the way', 'outside/hostname', (d) => symlinkSync('/etc', join(d, 'outside')));
  });

  it('the same ledger and seed give byte-identical selection.json and sample.csv; another seed another sample', async () => {
    const again = join(work, 'again');
    const other = join(work, 'other');
    expect((await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', again, '--seed', 'audit-2026', '--sample-size', '5', '--repo', 'acme/api'])).code).toBe(0);
    expect((await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', other, '--seed', 'another-seed', '--sample-size', '5'])).code).toBe(0);
    expect(readFileSync(join(again, 'selection.json'))).toEqual(readFileSync(join(dir, 'selection.json')));
    expect(readFileSync(join(again, 'sample.csv'))).toEqual(readFileSync(join(dir, 'sample.csv')));
    expect(readFileSync(join(again, 'population.csv'))).toEqual(readFileSync(join(dir, 'population.csv')));
    expect(JSON.parse(readFileSync(join(other, 'selection.json'), 'utf8')).ids).not.toEqual(JSON.parse(readFileSync(join(dir, 'selection.json'), 'utf8')).ids);
  });

  it('stratified by month covers every month; an auditor list is taken as given', async () => {
    const strat = join(work, 'strat');
    const r = await cli(['export', '--ledger', ledgerPath, '--from', '2026-03-01', '--to', '2026-04-30', '--out', strat, '--seed', 's', '--strata', 'month', '--json']);
    expect(r.code).toBe(0);
    const selection = JSON.parse(readFileSync(join(strat, 'selection.json'), 'utf8'));
    expect(selection.method).toBe('stratified');
    for (const a of selection.allocation) expect(a.sample).toBeGreaterThanOrEqual(1);
    const list = join(work, 'auditor.txt');
    writeFileSync(list, '# chosen by the auditor\nacme/api#3\nacme/api#7\n');
    const own = join(work, 'own');
    expect((await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', own, '--selection', list])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(own, 'selection.json'), 'utf8'))).toMatchObject({ method: 'auditor_list', seed: null, ids: ['acme/api#3', 'acme/api#7'] });
    expect((await cli(['verify-export', own, '--public-key', publicKeyFile()])).code).toBe(0);
    writeFileSync(list, 'acme/api#999\n');
    const bad = await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', join(work, 'bad-list'), '--selection', list]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('not in the population: acme/api#999');
  });

  it('a sampled direct push and deployment show every entry about them', async () => {
    const rows = parse(readFileSync(join(dir, 'population.csv')), { columns: true }) as Record<string, string>[];
    const push = rows.find((r) => r['kind'] === 'direct_push')!;
    const deployment = rows.find((r) => r['kind'] === 'deployment')!;
    const list = join(work, 'push-and-deployment.txt');
    writeFileSync(list, `${push['id']}\n${deployment['id']}\n`);
    const out = join(work, 'push-and-deployment');
    expect((await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', out, '--selection', list])).code).toBe(0);
    const { evidencePath } = await import('../../src/export/model.js');
    const pushPage = readFileSync(join(out, evidencePath(push['id']!)), 'utf8');
    expect(pushPage).toContain(push['ledger_hash']);
    expect(pushPage).toMatch(/<td>push<\/td>|>push</);
    const deploymentPage = readFileSync(join(out, evidencePath(deployment['id']!)), 'utf8');
    expect(deploymentPage).toContain(deployment['ledger_hash']);
    expect(deploymentPage).toContain('deployment_decision');
  });

  it('reads an NDJSON export of the ledger the same way, given the key', async () => {
    const ndjson = join(work, 'ledger.ndjson');
    const { createWriteStream } = await import('node:fs');
    const out = createWriteStream(ndjson);
    await exportLedgerFile(ledgerPath, out);
    await new Promise((resolve) => out.end(resolve));
    const fromNdjson = join(work, 'from-ndjson');
    const key = ledgerPath.replace(/ledger\.db$/, 'ledger-signing-key.pem');
    const r = await cli(['export', '--ledger', ndjson, ...MARCH, '--out', fromNdjson, '--seed', 'audit-2026', '--sample-size', '5', '--repo', 'acme/api', '--signing-key', key]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Not recorded in a ledger: ');
    expect(readFileSync(join(fromNdjson, 'selection.json'))).toEqual(readFileSync(join(dir, 'selection.json')));
  });

  it('a ledger that does not verify gives no export, naming the first bad seq (in line and in the worker thread)', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { spawnSync } = await import('node:child_process');
    const copyDir = join(work, 'tampered-ledger');
    cpSync(join(ledgerPath, '..'), copyDir, { recursive: true });
    const copy = join(copyDir, 'ledger.db');
    const db = new Database(copy);
    db.exec('DROP TRIGGER entries_refuse_update');
    db.prepare("UPDATE entries SET body = replace(body, '\"mergedBy\":\"carol\"', '\"mergedBy\":\"dave\"') WHERE seq = (SELECT min(seq) FROM entries WHERE kind = 'change')").run();
    const seq = (db.prepare("SELECT min(seq) AS seq FROM entries WHERE kind = 'change'").get() as { seq: number }).seq;
    db.close();
    const inLine = await cli(['export', '--ledger', copy, ...MARCH, '--out', join(work, 'from-tampered')]);
    expect(inLine.code).toBe(1);
    expect(inLine.err).toContain(`does not verify: seq ${seq}:`);
    expect(inLine.err).toContain('no export was written');
    expect(existsSync(join(work, 'from-tampered'))).toBe(false);
    const bin = new URL('../../bin/changeproof.js', import.meta.url).pathname;
    const compiled = spawnSync(process.execPath, [bin, 'export', '--ledger', copy, ...MARCH, '--out', join(work, 'from-tampered-2')], { encoding: 'utf8' });
    expect(compiled.status).toBe(1);
    expect(compiled.stderr).toContain(`does not verify: seq ${seq}:`);
  });

  it('the compiled CLI verifies in a worker thread and gives the same export', async () => {
    const { spawnSync } = await import('node:child_process');
    const compiled = join(work, 'compiled');
    const bin = new URL('../../bin/changeproof.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'export', '--ledger', ledgerPath, ...MARCH, '--out', compiled, '--seed', 'audit-2026', '--sample-size', '5', '--repo', 'acme/api'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const file of ['selection.json', 'sample.csv', 'population.csv', 'exceptions.csv']) {
      expect(readFileSync(join(compiled, file)), file).toEqual(readFileSync(join(dir, file)));
    }
  });

  describe('verify-export fails, naming the file, after any change', () => {
    const tampered = (name: string, change: (d: string) => void, expected: RegExp) =>
      it(name, async () => {
        const copy = join(work, `tamper-${name.replace(/\W+/g, '-')}`);
        cpSync(dir, copy, { recursive: true });
        change(copy);
        const r = await cli(['verify-export', copy, '--public-key', publicKeyFile()]);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(expected);
      });
    tampered('a population row edited', (d) => appendFileSync(join(d, 'population.csv'), 'x'), /population\.csv: file (hash|size)/);
    tampered('a population row replaced, same size', (d) => {
      const p = join(d, 'population.csv');
      writeFileSync(p, readFileSync(p, 'utf8').replace('non_compliant', 'non_complianT'));
    }, /population\.csv: file hash/);
    tampered('an evidence page edited', (d) => {
      const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
      const page = manifest.files.find((f: { path: string }) => f.path.startsWith('evidence/')).path;
      writeFileSync(join(d, page), readFileSync(join(d, page), 'utf8').replace('</body>', '<p>approved</p></body>'));
    }, /evidence\/.*\.html: file (hash|size)/);
    tampered('a file added', (d) => writeFileSync(join(d, 'notes.txt'), 'added later'), /notes\.txt: no extra file/);
    tampered('a file removed', (d) => rmSync(join(d, 'exceptions.csv')), /exceptions\.csv: file present/);
    tampered('the seed changed', (d) => {
      const p = join(d, 'selection.json');
      writeFileSync(p, readFileSync(p, 'utf8').replace('"seed": "audit-2026"', '"seed": "audit-2027"'));
    }, /selection\.json: (file hash|re-draw)/);
    tampered('the manifest edited', (d) => {
      const p = join(d, 'manifest.json');
      writeFileSync(p, readFileSync(p, 'utf8').replace('"compliant": ', '"compliant": 1'));
    }, /manifest\.json\.sig: signature/);
    tampered('re-signed with another key', (d) => {
      writeFileSync(join(d, 'public-key.pem'), readFileSync(join(d, 'public-key.pem'), 'utf8').replace(/A/g, 'B'));
    }, /public-key\.pem|signing key|signature/);
  });

  it('the seed changed and every hash recomputed is still caught by the re-draw', async () => {
    const copy = join(work, 'rehashed');
    cpSync(dir, copy, { recursive: true });
    const p = join(copy, 'selection.json');
    const text = readFileSync(p, 'utf8').replace('"seed": "audit-2026"', '"seed": "audit-2027"');
    writeFileSync(p, text);
    const { createHash } = await import('node:crypto');
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
    Object.assign(manifest.files.find((f: { path: string }) => f.path === 'selection.json'), { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) });
    writeFileSync(join(copy, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const { verifyExport } = await import('../../src/export/verify-export.js');
    const report = await verifyExport(copy);
    expect(report.checks.find((c) => c.name === 're-draw')).toMatchObject({ ok: false, file: 'selection.json' });
    expect(report.status).toBe('tampered');
  });

  it('bad input: a clear one-line error and nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [['export', '--ledger', ledgerPath, '--from', '2026-03-31', '--to', '2026-03-01', '--out', join(work, 'x1')], /ends \(2026-03-01\) before it starts/],
      [['export', '--ledger', ledgerPath, '--from', '2026-02-30', '--to', '2026-03-01', '--out', join(work, 'x2')], /not a calendar day/],
      [['export', '--ledger', ledgerPath, ...MARCH, '--out', join(work, 'x3'), '--sample-size', 'many'], /sample size must be "auto" or a whole number/],
      [['export', '--ledger', ledgerPath, ...MARCH, '--out', join(work, 'x4'), '--strata', 'team'], /strata must be month, repo or none/],
      [['export', '--ledger', ledgerPath, ...MARCH, '--out', join(work, 'x5'), '--confidence', '0.95'], /needs both --confidence and --tolerable-rate/],
      [['export', '--ledger', join(work, 'missing.db'), ...MARCH, '--out', join(work, 'x6')], /does not exist/],
      [['export', '--ledger', ledgerPath, ...MARCH, '--out', join(work, 'x7'), '--tz', 'Mars/Olympus'], /time zone/i],
      [['export', '--ledger', ledgerPath, ...MARCH], /--out DIR is required/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    const notEmpty = await cli(['export', '--ledger', ledgerPath, ...MARCH, '--out', dir]);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.err).toContain('is not empty');
  });
});
