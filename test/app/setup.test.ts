import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshConnectionFetch } from '../support/app-harness.js';
import { killSpawnedApps, spawnApp } from '../support/spawn-app.js';

// The setup flow as a new user meets it: `npm start` (lib/app/main.js) without credentials,
// a browser on its page, GitHub answering the registration. GitHub is a local server
// reached as GitHub Enterprise Server (GHE_HOST), so the flow runs offline.

const APP_YML = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as Record<string, unknown>;
const tempDir = () => mkdtempSync(join(tmpdir(), 'changeproof-setup-'));
const decode = (html: string) => html.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** What the setup page would post to GitHub: the form's address and its manifest. */
async function registrationForm(url: string): Promise<{ action: URL; manifest: Record<string, unknown> }> {
  const res = await freshConnectionFetch(`${url}/probot`);
  expect(res.status).toBe(200);
  const page = await res.text();
  const action = /<form action="([^"]+)" method="post">/.exec(page);
  const manifest = /name="manifest" value="([^"]+)"/.exec(page);
  expect(action, page).not.toBeNull();
  expect(manifest, page).not.toBeNull();
  return { action: new URL(decode(action![1]!)), manifest: JSON.parse(decode(manifest![1]!)) as Record<string, unknown> };
}

/** GitHub's `POST /app-manifests/{code}/conversions`, answering as it does for code `good-code`. */
const conversions: string[] = [];
const appKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
let github: Server;
let gheHost = '';
beforeAll(async () => {
  github = createServer((req: IncomingMessage, res) => {
    const m = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    conversions.push(m[1]!);
    if (m[1] !== 'good-code') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 4242, slug: 'changeproof-acme', name: 'Changeproof acme', html_url: 'https://github.com/apps/changeproof-acme', owner: { login: 'acme', type: 'Organization' },
      pem: appKey, webhook_secret: 'whsec-from-github', client_id: 'Iv1.abc', client_secret: 'client-secret',
    }));
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  gheHost = `127.0.0.1:${(github.address() as AddressInfo).port}`;
});
afterAll(async () => {
  killSpawnedApps();
  await new Promise((resolve) => github.close(resolve));
});

describe.concurrent('the setup page (npm start without credentials)', { timeout: 45_000 }, () => {
  it('registers under GH_ORG with the webhook at CHANGEPROOF_PUBLIC_URL/api/github/webhooks, writes .env, and the restarted app runs', async () => {
    const dir = tempDir();
    const env = { CHANGEPROOF_PUBLIC_URL: 'https://changeproof.acme.example', GH_ORG: 'acme', GHE_HOST: gheHost, GHE_PROTOCOL: 'http' };
    const setup = await spawnApp(env, { cwd: dir });

    const root = await freshConnectionFetch(`${setup.url}/`);
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/probot');

    const { action, manifest } = await registrationForm(setup.url);
    expect(`${action.origin}${action.pathname}`).toBe(`http://${gheHost}/organizations/acme/settings/apps/new`);
    expect(manifest).toMatchObject({
      hook_attributes: { url: 'https://changeproof.acme.example/api/github/webhooks', active: true },
      redirect_url: `${setup.url}/probot/setup`,
      name: APP_YML['name'],
      url: APP_YML['url'],
      public: false,
      default_events: APP_YML['default_events'],
      default_permissions: APP_YML['default_permissions'],
    });
    const state = action.searchParams.get('state')!;
    expect(state).toMatch(/^[0-9a-f]{32}$/);

    // GitHub sends the browser back with a code; one this page did not ask for is refused unseen by GitHub.
    const forged = await freshConnectionFetch(`${setup.url}/probot/setup?code=good-code&state=${'0'.repeat(32)}`);
    expect(forged.status).toBe(400);
    expect(conversions).not.toContain('good-code');
    const expired = await freshConnectionFetch(`${setup.url}/probot/setup?code=expired-code&state=${state}`);
    expect(expired.status).toBe(502);
    expect(await expired.text()).toContain('register again');

    const back = await freshConnectionFetch(`${setup.url}/probot/setup?code=good-code&state=${state}`);
    expect(back.status).toBe(200);
    const page = await back.text();
    expect(page).toContain('https://github.com/apps/changeproof-acme/installations/new');
    expect(page).toContain(join(dir, '.env'));
    expect(page).toContain('Change control (CC8.1)');
    await setup.waitForOutput(`Credentials written to ${join(dir, '.env')}`);
    await setup.waitForOutput('install the app on repositories: https://github.com/apps/changeproof-acme/installations/new');

    const written = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    expect(written).toMatchObject({ APP_ID: '4242', PRIVATE_KEY: appKey, WEBHOOK_SECRET: 'whsec-from-github', GITHUB_CLIENT_ID: 'Iv1.abc' });
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    setup.child.kill('SIGTERM');
    expect(await setup.exited).toBe(0);

    // Started again from the same folder, with nothing else set, it runs with the credentials of .env.
    const app = await spawnApp({ GHE_HOST: '127.0.0.1:9', GHE_PROTOCOL: 'http' }, { cwd: dir });
    expect((await freshConnectionFetch(`${app.url}/api/changeproof/health`)).status).toBe(200);
    await app.waitForOutput(`ledger ${join(dir, 'data', 'ledger.db')}`);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('with WEBHOOK_PROXY_URL (a smee.io channel) GitHub delivers to the channel, under the personal account without GH_ORG', async () => {
    const setup = await spawnApp({ WEBHOOK_PROXY_URL: 'https://smee.io/Abc123' }, { cwd: tempDir() });
    const { action, manifest } = await registrationForm(setup.url);
    expect(`${action.origin}${action.pathname}`).toBe('https://github.com/settings/apps/new');
    expect(manifest['hook_attributes']).toEqual({ url: 'https://smee.io/Abc123', active: true });
    const page = await (await freshConnectionFetch(`${setup.url}/probot`)).text();
    expect(page).toContain(`forwards to <code>http://localhost:${setup.port}/api/github/webhooks</code>`);
    expect(page).toContain('set <code>GH_ORG=&lt;organisation&gt;</code>');
  });

  it.each([
    ['no address', {}, 'none is set'],
    ['an address of this machine only', { CHANGEPROOF_PUBLIC_URL: 'http://localhost:3000' }, 'GitHub cannot reach it'],
  ])('with %s the page says what to set and offers no registration', async (_, env, problem) => {
    const setup = await spawnApp(env, { cwd: tempDir() });
    const res = await freshConnectionFetch(`${setup.url}/probot`);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain(problem);
    expect(page).toContain('CHANGEPROOF_PUBLIC_URL=https://');
    expect(page).toContain('WEBHOOK_PROXY_URL');
    expect(page).toContain('GH_ORG');
    expect(page).not.toContain('name="manifest"');
    // The warning is logged beside the page; on a busy machine it may arrive just after it.
    expect(await setup.waitForOutput('or, for a trial, WEBHOOK_PROXY_URL')).toMatch(/Set CHANGEPROOF_PUBLIC_URL .* or, for a trial, WEBHOOK_PROXY_URL/);
  });
});
