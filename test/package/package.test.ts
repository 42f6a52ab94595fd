import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { freshConnectionFetch } from '../support/app-harness.js';
import { buildLedger, removeTempDirs } from '../ledger/support/ledger-fixture.js';
import { deliverInstallation, killSpawnedApps, spawnApp, writeAppKey } from '../support/spawn-app.js';

// The package as a user gets it: `npm pack`, installed into an empty folder, used
// there with `npx changeproof …` and run with `npm start` (a package.json whose start
// script is `exec changeproof-app`, as docs/installing.md shows).

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; overrides: unknown; scripts: Record<string, string> };

let work = '';
let app = '';
let files: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'changeproof-package-'));
  // `npm pack` runs `prepare` (the build) first; `npm test` has just built lib/, so skip it here.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = packed!.files.map((f) => f.path);
  app = join(work, 'app');
  installInto(app, join(work, packed!.filename));
  // Installed offline from the npm cache, without install scripts: better-sqlite3 is not
  // compiled again (about 90 s) but given the repository's build — the same version (the
  // lockfile pins it) for the same Node (this process's), so the same ABI.
  await run('npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
}, 120_000);

afterAll(() => {
  killSpawnedApps();
  removeTempDirs();
});

/**
 * An app folder depending on the tarball, as docs/installing.md sets one up, with a
 * lockfile holding exactly the repository's production tree (so `npm ci` needs no
 * registry and installs what the tests here ran against). `overrides` as in the
 * repository: npm applies a package's own overrides only when it is the root.
 */
function installInto(dir: string, tarball: string) {
  cpSync(tarball, join(dir, 'changeproof.tgz'));
  const manifest = { name: 'changeproof-app', private: true, scripts: { start: 'exec changeproof-app' }, dependencies: { changeproof: 'file:changeproof.tgz' }, overrides: pkg.overrides };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const root = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: manifest.name, dependencies: manifest.dependencies },
    'node_modules/changeproof': {
      version: pkg.version,
      resolved: 'file:changeproof.tgz',
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: root['dependencies'],
      bin: root['bin'],
      engines: root['engines'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry['dev'] && !entry['devOptional']) packages[path] = entry;
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2));
}

describe('the npm package', { timeout: 60_000 }, () => {
  it('holds the compiled app and CLI, app.yml, schema.json, the standalone verifier and the docs, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'app.yml', 'schema.json', 'bin/changeproof.js', 'bin/changeproof-app.js',
      'lib/app/main.js', 'lib/cli/main.js', 'dist/verifier/changeproof-verify.mjs', 'docs/installing.md', 'docs/deploying.md',
    ]));
    expect(files.filter((f) => /^(src|test|fixtures|bench|scripts|dist\/action)\/|\.map$|^\.env|^data\//.test(f))).toEqual([]);
    // npm builds lib/ before packing (and publishing) it.
    expect(pkg.scripts['prepare']).toBe('npm run build');
  });

  it('npx changeproof --help and verify work in the folder it is installed in', async () => {
    const help = await run('npx', ['changeproof', '--help'], { cwd: app });
    expect(help.stdout).toContain('verify');
    const built = await buildLedger({ count: 7 });
    const key = join(built.dir, 'published.pem');
    writeFileSync(key, built.pem);
    const verify = await run('npx', ['changeproof', 'verify', '--ledger', built.path, '--public-key', key, '--json'], { cwd: app });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, status: 'intact', entries: expect.any(Number) });
  });

  it('npm start without credentials serves the setup page, with the manifest of the package\'s app.yml', async () => {
    const setup = await spawnApp({ CHANGEPROOF_PUBLIC_URL: 'https://changeproof.acme.example' }, { cwd: app, command: ['npm', 'start'], detached: true });
    const page = await (await freshConnectionFetch(`${setup.url}/probot`)).text();
    expect(page).toContain('https://changeproof.acme.example/api/github/webhooks');
    expect(page).toContain('deployment_protection_rule');
    process.kill(-setup.child.pid!, 'SIGTERM');
    expect(await setup.exited).toBe(0);
  });

  it('npm start with credentials serves health and the verifier, and stops cleanly on SIGTERM', async () => {
    const env = { APP_ID: '123', PRIVATE_KEY_PATH: writeAppKey(app), WEBHOOK_SECRET: 'secret', GHE_HOST: '127.0.0.1:9', GHE_PROTOCOL: 'http' };
    const started = await spawnApp(env, { cwd: app, command: ['npm', 'start'], detached: true });
    const health = await freshConnectionFetch(`${started.url}/api/changeproof/health`);
    expect(await health.json()).toEqual({ status: 'ok', version: pkg.version });
    const verifier = await freshConnectionFetch(`${started.url}/api/changeproof/verifier`);
    expect(verifier.status).toBe(200);
    const body = Buffer.from(await verifier.arrayBuffer());
    expect(verifier.headers.get('x-content-sha256')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(body.equals(readFileSync(join(app, 'node_modules', 'changeproof', 'dist', 'verifier', 'changeproof-verify.mjs')))).toBe(true);
    expect(await deliverInstallation(started.url, 'secret')).toBe(200);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    // The ledger is in the folder it was started from.
    const ledgerPath = join(app, 'data', 'ledger.db');
    const publicKey = publicKeyFromPem(readFileSync(join(app, 'data', 'ledger-signing-key.pub.pem'), 'utf8'));
    expect(await verifyLedger(ledgerPath, { publicKey, requireFinalCheckpoint: true })).toMatchObject({ ok: true });
  });
});
