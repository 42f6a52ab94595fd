import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/app/log.js';
import { acmeScenario, APP_ID, freshConnectionFetch, INSTALLATION_ID as INSTALLATION } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { postWebhook, pullRequestPayload, signWebhook } from '../support/webhooks.js';
import { ensureBuilt, startChildApp, type ChildApp } from '../reliability/support/child-app.js';

/**
 * Tokens never reach a log line: the real app (`node lib/app/main.js`, as
 * `npm start` runs it) with `LOG_FORMAT=json`, asked with the read token, the
 * signing token and signed webhooks; then every line it printed is searched.
 */

const READ_TOKEN = 'read-token-that-must-not-be-logged-1f2e3d';
const SIGNING_TOKEN = 'signing-token-that-must-not-be-logged-4c5b6a';
const WEBHOOK_SECRET = 'webhook-secret-that-must-not-be-logged-7d8e9f';

let sim: GitHubSimulator;
let app: ChildApp;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  sim = await startGitHubSimulator(acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'));
  dir = mkdtempSync(join(tmpdir(), 'changeproof-logs-'));
  writeFileSync(join(dir, 'app.pem'), generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey);
  app = await startChildApp({
    APP_ID: String(APP_ID), PRIVATE_KEY_PATH: join(dir, 'app.pem'), WEBHOOK_SECRET, ...sim.env, LEDGER_PATH: join(dir, 'data', 'ledger.db'),
    CHANGEPROOF_API_TOKEN: READ_TOKEN, CHANGEPROOF_SIGNING_TOKEN: SIGNING_TOKEN, LOG_FORMAT: 'json', LOG_LEVEL: 'debug',
  }, { cwd: dir });
}, 60_000);

afterAll(async () => {
  app?.process.kill('SIGTERM');
  await app?.exited;
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('logs', () => {
  it('carry no token, secret or webhook signature in any line (LOG_FORMAT=json)', async () => {
    const get = (path: string, token: string) => freshConnectionFetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('/api/changeproof/ledger', READ_TOKEN)).status).toBe(200);
    expect((await get('/api/changeproof/ledger', SIGNING_TOKEN)).status).toBe(401);
    const sign = await freshConnectionFetch(`${app.url}/api/changeproof/export-signature`, { method: 'POST', headers: { authorization: `Bearer ${SIGNING_TOKEN}`, 'content-type': 'application/json' }, body: '{"manifest_sha256":"00"}' });
    expect(sign.status).toBe(400);
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION });
    const body = JSON.stringify(payload);
    expect((await postWebhook(app.webhookUrl, 'pull_request', payload, { secret: WEBHOOK_SECRET, fetch: freshConnectionFetch })).status).toBe(200);
    expect((await postWebhook(app.webhookUrl, 'pull_request', payload, { secret: 'a-wrong-secret', fetch: freshConnectionFetch })).status).toBeGreaterThanOrEqual(400);
    // Let the delivery be processed (GitHub calls with the installation token are logged at debug).
    for (let i = 0; i < 50 && !/evaluat/i.test(app.output()); i += 1) await new Promise((r) => setTimeout(r, 100));

    const lines = app.output().split('\n').filter(Boolean);
    const requestLines = lines.filter((l) => l.includes('"req"'));
    expect(requestLines.length).toBeGreaterThan(3);
    for (const secret of [READ_TOKEN, SIGNING_TOKEN, WEBHOOK_SECRET, signWebhook(body, WEBHOOK_SECRET), 'ghs_']) {
      expect(lines.filter((l) => l.includes(secret)), secret).toEqual([]);
    }
    // The headers are there, redacted: the log still shows that a token was sent.
    expect(requestLines.some((l) => l.includes(`"authorization":"${REDACTED}"`))).toBe(true);
  }, 30_000);
});
