import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromPem, SqliteLedger, verifyLedger } from '../../src/ledger/index.js';
import { freshConnectionFetch } from '../support/app-harness.js';

const MAIN = new URL('../../lib/app/main.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts `node lib/app/main.js` (what `npm start` runs) and resolves with its URL once it listens. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env }, cwd: mkdtempSync(join(tmpdir(), 'changeproof-start-')) });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening on (http:\/\/\S+?:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

// `npm test` compiles lib/ first when src/ changed (scripts/ensure-setup.mjs --build).
describe('npm start (lib/app/main.js)', () => {
  it('without credentials it serves the setup flow instead of crashing', async () => {
    const { url } = await start({});
    const res = await freshConnectionFetch(`${url}/probot`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GitHub App');
  });

  it('with credentials it serves, and on SIGTERM closes the ledger cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeproof-start-'));
    const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    writeFileSync(join(dir, 'app.pem'), key.privateKey);
    const ledgerPath = join(dir, 'data', 'ledger.db');
    const { child, url } = await start({ APP_ID: '123', PRIVATE_KEY_PATH: join(dir, 'app.pem'), WEBHOOK_SECRET: 'secret', LEDGER_PATH: ledgerPath, CHANGEPROOF_API_TOKEN: 'token' });
    const health = await freshConnectionFetch(`${url}/api/changeproof/health`);
    expect(health.status).toBe(200);
    // Anyone may probe it; only the read token sees the ledger.
    expect(await health.json()).toEqual({ status: 'ok', version: expect.any(String) });
    const detailed = await freshConnectionFetch(`${url}/api/changeproof/health`, { headers: { authorization: 'Bearer token' } });
    expect(await detailed.json()).toMatchObject({ status: 'ok', ledger: { size: 0 } });
    const unsigned = await freshConnectionFetch(`${url}/api/github/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'x' }, body: '{}' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    const code = exited(child);
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    const ledger = SqliteLedger.open(ledgerPath, { env: {} });
    const publicKey = publicKeyFromPem(ledger.publicKeyPem());
    await ledger.close();
    expect((await verifyLedger(ledgerPath, { publicKey })).ok).toBe(true);
  });

  it('a ledger that cannot be opened stops the start with the reason, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'changeproof-start-'));
    const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    writeFileSync(join(dir, 'app.pem'), key.privateKey);
    writeFileSync(join(dir, 'not-a-ledger.db'), 'this is not a database'.repeat(100));
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', PORT: '0', APP_ID: '123', PRIVATE_KEY_PATH: join(dir, 'app.pem'), WEBHOOK_SECRET: 's', LEDGER_PATH: join(dir, 'not-a-ledger.db') } });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    expect(await exited(child)).toBe(1);
    expect(output).toContain('Changeproof could not start:');
    expect(output).toContain('not-a-ledger.db');
    expect(output).not.toMatch(/^\s+at /m);
  });
});
