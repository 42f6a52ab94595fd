import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MAX_READ_REQUEST_BYTES } from '../../src/app/http/api-routes.js';
import { MAX_SIGNING_REQUEST_BYTES } from '../../src/app/http/export-signing.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/app/intake-limit.js';
import { acmeScenario, INSTALLATION_ID, useApp, WEBHOOK_SECRET, type RunningApp } from '../support/app-harness.js';
import { signWebhook } from '../support/webhooks.js';

const MB = 1024 * 1024;
const READ_TOKEN = 'read-token-for-limits';
const SIGNING_TOKEN = 'signing-token-for-limits';

interface Upload {
  status: number;
  body: string;
  ms: number;
  /** Bytes the client had written when the answer came. */
  sent: number;
  /** The largest growth of this process's RSS seen while the request ran. */
  rssGrowthMb: number;
}

/**
 * Sends `total` bytes (one 64 KiB block, written again and again, so the
 * client holds no more than that) and stops writing once the server answers.
 * Without `content-length` in `headers` the body goes chunked.
 */
function upload(url: string, headers: Record<string, string>, total: number, method = 'POST'): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const block = Buffer.alloc(64 * 1024, 0x61);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const started = performance.now();
    let sent = 0;
    let answered = false;
    const done = (status: number, body: string) => {
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      resolve({ status, body, ms: performance.now() - started, sent, rssGrowthMb: (peak - baseline) / MB });
    };
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done(res.statusCode ?? 0, body));
      res.on('error', () => done(res.statusCode ?? 0, body));
    });
    // The server closes the connection on a refused body: writes after its answer may fail.
    req.on('error', (error) => {
      if (answered) return;
      clearInterval(sampler);
      reject(error);
    });
    const pump = () => {
      while (sent < total && !answered) {
        const piece = total - sent >= block.length ? block : block.subarray(0, total - sent);
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Headers of a delivery GitHub would send, with a signature that does not match the body. */
function deliveryHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'pull_request',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    ...extra,
  };
}

/** What the app has kept: inbox rows (with their payload sizes) and ledger entries. */
function stored(app: RunningApp): { inbox: Array<{ id: string; bytes: number | null }>; entries: number } {
  const db = new Database(app.ledgerPath, { readonly: true });
  try {
    const inbox = db.prepare('SELECT delivery_id AS id, length(payload) AS bytes FROM inbox').all() as Array<{ id: string; bytes: number | null }>;
    const entries = (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    return { inbox, entries };
  } finally {
    db.close();
  }
}

describe('webhook bodies are limited to GitHub\'s 25 MB before they are buffered', () => {
  const env = useApp();

  it('refuses 30 MB, declared or chunked, signed badly or not at all: 413 in under a second, the body never held, nothing kept', async () => {
    const { app } = await env.start(acmeScenario(), { apiToken: READ_TOKEN });
    const before = stored(app);
    const cases = [
      { name: 'declared', headers: deliveryHeaders({ 'content-length': String(30 * MB) }) },
      { name: 'chunked', headers: deliveryHeaders() },
      { name: 'chunked, no signature at all', headers: (({ 'x-hub-signature-256': _, ...rest }) => rest)(deliveryHeaders()) },
    ];
    for (const c of cases) {
      const answer = await upload(app.webhookUrl, c.headers, 30 * MB);
      console.log(`30 MB webhook body, ${c.name}: ${answer.status} in ${answer.ms.toFixed(0)} ms, RSS +${answer.rssGrowthMb.toFixed(1)} MB`);
      expect(answer.status, c.name).toBe(413);
      expect(JSON.parse(answer.body), c.name).toEqual({ error: 'A webhook delivery may be at most 25 MiB; this request is larger' });
      expect(answer.ms, c.name).toBeLessThan(1_000);
      expect(answer.rssGrowthMb, c.name).toBeLessThan(50);
    }
    expect(stored(app)).toEqual(before);
    // The app goes on: a genuine delivery is still accepted.
    expect((await app.deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).status).toBe(200);
  });

  it('a declared length over the limit is refused before a single byte of the body is sent', async () => {
    const { app } = await env.start(acmeScenario());
    const answer = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(app.webhookUrl, { method: 'POST', headers: deliveryHeaders({ 'content-length': String(600 * MB) }), agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer).toBe(413);
  });

  it('accepts a signed delivery just under the limit, stores it in the inbox and records it', async () => {
    const { app } = await env.start(acmeScenario());
    const deliveryId = randomUUID();
    const payload = { action: 'created', installation: { id: INSTALLATION_ID, account: { login: 'acme' } }, repositories: [{ full_name: 'acme/api' }], sender: { login: 'alice' }, padding: '' };
    const empty = Buffer.byteLength(JSON.stringify(payload));
    payload.padding = 'x'.repeat(MAX_WEBHOOK_BODY_BYTES - 1024 - empty);
    const body = JSON.stringify(payload);
    expect(Buffer.byteLength(body)).toBe(MAX_WEBHOOK_BODY_BYTES - 1024);
    const headers = { 'content-type': 'application/json', 'x-github-event': 'installation', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signWebhook(body, WEBHOOK_SECRET) };
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(app.webhookUrl, { method: 'POST', headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body); // chunked: counted as it streams, within the limit
    });
    expect(status).toBe(200);
    expect(stored(app).inbox.find((row) => row.id === deliveryId)).toBeDefined();
    await app.worker.idle();
    const [installation] = await app.entries('installation');
    expect(installation).toMatchObject({ subject: `installation/${INSTALLATION_ID}`, data: { action: 'installation.created', repositoriesAdded: ['acme/api'] } });
  });

  it('the same body a byte over the limit is refused, however it is signed', async () => {
    const { app } = await env.start(acmeScenario());
    const answer = await upload(app.webhookUrl, deliveryHeaders({ 'x-github-event': 'installation' }), MAX_WEBHOOK_BODY_BYTES + 1);
    expect(answer.status).toBe(413);
    expect(stored(app).inbox).toEqual([]);
  });
});

describe('the app\'s own API refuses oversized requests before reading them', () => {
  const env = useApp();

  it('the read API takes no body: a declared or chunked one beyond 1 KiB is refused, a few bytes are ignored', async () => {
    const { app } = await env.start(acmeScenario(), { apiToken: READ_TOKEN });
    const auth = { authorization: `Bearer ${READ_TOKEN}` };
    for (const route of ['/api/changeproof/ledger', '/api/changeproof/health', '/api/changeproof/public-key']) {
      // Node's client sends a GET body chunked only when told to.
      const chunked = await upload(`${app.url}${route}`, { ...auth, 'transfer-encoding': 'chunked' }, 30 * MB, 'GET');
      expect(chunked.status, route).toBe(413);
      expect(JSON.parse(chunked.body).error, route).toBe('A request to the read API (which takes no body) may be at most 1 KiB; this request is larger');
      expect(chunked.ms, route).toBeLessThan(1_000);
      expect(chunked.rssGrowthMb, route).toBeLessThan(50);
      expect((await upload(`${app.url}${route}`, { ...auth, 'content-length': String(30 * MB) }, 30 * MB, 'GET')).status, route).toBe(413);
      expect((await upload(`${app.url}${route}`, { ...auth, 'transfer-encoding': 'chunked' }, MAX_READ_REQUEST_BYTES, 'GET')).status, route).toBe(200);
      expect((await upload(`${app.url}${route}`, { ...auth, 'content-length': String(MAX_READ_REQUEST_BYTES) }, MAX_READ_REQUEST_BYTES, 'GET')).status, route).toBe(200);
    }
  });

  it('export signing reads at most 8 MiB, and refuses a larger declared body before asking who is calling', async () => {
    const { app } = await env.start(acmeScenario(), { signingToken: SIGNING_TOKEN });
    const url = `${app.url}/api/changeproof/export-signature`;
    const json = { 'content-type': 'application/json' };
    const declared = await upload(url, { ...json, 'content-length': String(30 * MB) }, 30 * MB);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toBe('An export to sign (manifest and selection) may be at most 8 MiB; this request is larger');
    const chunked = await upload(url, { ...json, authorization: `Bearer ${SIGNING_TOKEN}` }, 30 * MB);
    expect(chunked.status).toBe(413);
    expect(chunked.sent).toBeLessThan(30 * MB);
    expect(chunked.ms).toBeLessThan(1_000);
    expect(chunked.rssGrowthMb).toBeLessThan(50);
    // Within the limit the body is read and judged (here: not JSON).
    expect((await upload(url, { ...json, authorization: `Bearer ${SIGNING_TOKEN}` }, MAX_SIGNING_REQUEST_BYTES)).status).toBe(400);
    const entries = await app.entries();
    expect(entries.filter((e) => e.kind === 'export' || e.kind === 'export_refused')).toEqual([]);
  });
});
