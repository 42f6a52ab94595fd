import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { freshConnectionFetch } from '../support/app-harness.js';
import { freePort } from '../support/free-port.js';
import { deliverInstallation, killSpawnedApps, MAIN, spawnApp, writeAppKey } from '../support/spawn-app.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const tempDir = () => mkdtempSync(join(tmpdir(), 'changeproof-start-'));
const GITHUB_UNREACHABLE = { GHE_HOST: '127.0.0.1:9', GHE_PROTOCOL: 'http' };

// Port 3000 (Probot's default) is taken for the whole file: every start below must use a port of its own.
let port3000: Server | null = null;
beforeAll(async () => {
  port3000 = await new Promise<Server | null>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null)); // already taken by something else: as good
    server.listen(3000, () => resolve(server));
  });
});
afterAll(async () => {
  killSpawnedApps();
  await new Promise<void>((resolve) => (port3000 ? port3000.close(() => resolve()) : resolve()));
});

async function credentialsIn(dir: string) {
  return { APP_ID: '123', PRIVATE_KEY_PATH: writeAppKey(dir), WEBHOOK_SECRET: 'secret', LEDGER_PATH: join(dir, 'data', 'ledger.db'), ...GITHUB_UNREACHABLE };
}

/** The ledger verifies with its key and ends with a signed checkpoint (what a clean stop writes). */
async function expectClosedCleanly(ledgerPath: string) {
  const publicKey = publicKeyFromPem(readFileSync(join(ledgerPath, '..', 'ledger-signing-key.pub.pem'), 'utf8'));
  const report = await verifyLedger(ledgerPath, { publicKey, requireFinalCheckpoint: true });
  expect(report).toMatchObject({ ok: true, unsignedTail: 0 });
  expect(report.entries).toBeGreaterThanOrEqual(2);
  expect(report.lastCheckpoint?.seq).toBe(report.lastSeq);
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pids: number[], withinMs = 5_000): Promise<number[]> {
  const until = Date.now() + withinMs;
  let left = pids.filter(isRunning);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(isRunning);
  }
  return left;
}

// Each test starts processes of its own on ports of their own: they run side by side.
describe.concurrent('npm start (lib/app/main.js)', () => {
  it('port 3000 is in use while these tests run', async () => {
    const probe = createServer();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      probe.once('error', resolve);
      probe.listen(3000, () => probe.close(() => resolve(null)));
    });
    expect(error?.code).toBe('EADDRINUSE');
  });

  it('without credentials it serves the setup flow instead of crashing', async () => {
    const { url, port } = await spawnApp({}, { cwd: tempDir() });
    expect(port).not.toBe(3000);
    const res = await freshConnectionFetch(`${url}/probot`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Changeproof');
  });

  it('with credentials it serves, and on SIGTERM closes the ledger cleanly', async () => {
    const dir = tempDir();
    const env = { ...(await credentialsIn(dir)), CHANGEPROOF_API_TOKEN: 'token' };
    const { child, url, exited } = await spawnApp(env, { cwd: dir });
    const health = await freshConnectionFetch(`${url}/api/changeproof/health`);
    expect(health.status).toBe(200);
    // Anyone may probe it; only the read token sees the ledger.
    expect(await health.json()).toEqual({ status: 'ok', version: expect.any(String) });
    const detailed = await freshConnectionFetch(`${url}/api/changeproof/health`, { headers: { authorization: 'Bearer token' } });
    expect(await detailed.json()).toMatchObject({ status: 'ok', ledger: { size: 0 } });
    const unsigned = await freshConnectionFetch(`${url}/api/github/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'x' }, body: '{}' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(await deliverInstallation(url, 'secret')).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expectClosedCleanly(env.LEDGER_PATH);
  });

  it('a ledger that cannot be opened stops the start with the reason, not a stack trace', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-ledger.db'), 'this is not a database'.repeat(100));
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', PORT: String(await freePort()), APP_ID: '123', PRIVATE_KEY_PATH: writeAppKey(dir), WEBHOOK_SECRET: 's', LEDGER_PATH: join(dir, 'not-a-ledger.db') } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
    expect(output).toContain('Changeproof could not start:');
    expect(output).toContain('not-a-ledger.db');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('credentials half set stop the start saying what to set (every case: setup-credentials.test.ts)', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', PORT: String(await freePort()), APP_ID: '123', WEBHOOK_SECRET: 's' } });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
    expect(output).toContain('Changeproof could not start: APP_ID is set but no private key: set PRIVATE_KEY');
    expect(output).not.toMatch(/^\s+at /m);
  });
});

describe.concurrent('npm start and signals', () => {
  /**
   * A folder whose package.json has this repository's `start` script and whose
   * lib/ is this repository's build: `npm start` there runs exactly what it runs
   * here, without the prestart build and away from any .env of the repository.
   */
  function startFolder(): string {
    const dir = tempDir();
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'changeproof-start', private: true, scripts: { start: scripts['start'] } }));
    symlinkSync(join(ROOT, 'lib'), join(dir, 'lib'));
    return dir;
  }

  it.each([
    ['kill -TERM of the npm start process group', (npmPid: number) => process.kill(-npmPid, 'SIGTERM')],
    ['SIGTERM to the npm process alone', (npmPid: number) => process.kill(npmPid, 'SIGTERM')],
  ])('%s stops the app cleanly: no process left, a final signed checkpoint', async (_, signal) => {
    const dir = startFolder();
    const env = await credentialsIn(dir);
    const app = await spawnApp(env, { cwd: dir, command: ['npm', 'start'], detached: true });
    const appPid = Number(/"pid":(\d+)/.exec(app.output())![1]);
    expect(appPid).not.toBe(app.child.pid);
    expect(await deliverInstallation(app.url, 'secret')).toBe(200);
    signal(app.child.pid!);
    await app.exited;
    expect(await gone([appPid])).toEqual([]);
    expect(() => process.kill(-app.child.pid!, 0)).toThrow(); // the whole process group is gone
    expect(app.output()).toContain('SIGTERM: stopping Changeproof');
    await expectClosedCleanly(env.LEDGER_PATH);
  });
});
