// Octokit per-request overhead: `npx tsx bench/octokit.ts` (runs src/ through tsx; no build needed).
//
// One GitHub request, answered at once by a loopback `node:http` server that
// sends GitHub's `x-ratelimit-*` headers, made through
//   (a) bare `fetch` — the floor;
//   (b) bare `@octokit/core` `request`;
//   (c) + @octokit/plugin-throttling;
//   (d) + @octokit/plugin-retry;
//   (e) the app's real class: Probot's `ProbotOctokit` wrapped by
//       `withChangeproofDefaults`, an installation client from `probot.auth(id)`
//       (@octokit/auth-app with a generated RSA key; the server answers
//       `POST /app/installations/:id/access_tokens`, so the token is cached after
//       the warm-up), writes unspaced as in the tests (`UNSPACED_WRITES`: GitHub's
//       one-write-per-second spacing is GitHub's limit, not Octokit's cost);
//   (f) `createOctokit` — the Action's and CLI's class, same plugins;
// for a GET and for a PATCH, one at a time and on 10 concurrent streams. Each
// plugin row is measured twice in the same run: with Bottleneck as published
// ("stock": its in-memory store yields with `setTimeout(0)`, at least 1 ms each
// in Node) and with src/github/fast-bottleneck.ts applied ("fixed": the same
// steps as microtasks); the bench swaps the two between rows. It prints the
// mean latency of one request, the overhead over the floor (ms) and the ratio to
// the floor, then the timers (`setTimeout`/`setImmediate`) each client starts per
// request. Target: the plugins' share (e minus b) under 3 ms per request.
//
// Options: --requests N (requests per row, default 2000; each row also stops
// after --budget-ms, default 1000, so the stock rows keep the run near a
// minute), --warmup N (default 200, at most 300 ms per row).
import { createHook } from 'node:async_hooks';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { pino } from 'pino';
import BottleneckLight from 'bottleneck/light.js';
import { Probot, ProbotOctokit } from 'probot';

// Bottleneck as published, then as src/github/octokit.ts leaves it (importing it applies fast-bottleneck.ts).
type Patchable = { _run: unknown; _store: { yieldLoop: unknown } };
const limiterProto = BottleneckLight.prototype as unknown as Patchable;
const storeProto = Object.getPrototypeOf((new BottleneckLight() as unknown as Patchable)._store) as Patchable['_store'];
const stockBottleneck = { run: limiterProto._run, yieldLoop: storeProto.yieldLoop };
const { createOctokit, withChangeproofDefaults } = await import('../src/github/octokit.js');
const { UNSPACED_WRITES } = await import('../test/support/simulator-octokit.js');
const fixedBottleneck = { run: limiterProto._run, yieldLoop: storeProto.yieldLoop };
if (fixedBottleneck.run === stockBottleneck.run) throw new Error('src/github/octokit.ts did not patch bottleneck/light.js');
/** Swaps Bottleneck's two patched methods (only between rows, with no job in flight). */
const useBottleneck = (which: typeof stockBottleneck) => {
  limiterProto._run = which.run;
  storeProto.yieldLoop = which.yieldLoop;
};

const { values } = parseArgs({ options: { requests: { type: 'string' }, 'budget-ms': { type: 'string' }, warmup: { type: 'string' } } });
const REQUESTS = Number(values.requests ?? 2000);
const BUDGET_MS = Number(values['budget-ms'] ?? 1000);
const WARM_UP = Number(values.warmup ?? 200);
const WARM_UP_MS = 300;
const STREAMS = 10;
const INSTALLATION_ID = 7;

// ---- the loopback "GitHub" ----------------------------------------------------
const BODY = JSON.stringify({ id: 1, full_name: 'acme/api', private: false, default_branch: 'main' });
let tokensIssued = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': 'BENCH:0001',
    };
    if (req.method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(req.url ?? '')) {
      tokensIssued += 1;
      res.writeHead(201, headers);
      res.end(JSON.stringify({ token: `ghs_bench${tokensIssued}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { checks: 'write', contents: 'read' }, repository_selection: 'all' }));
      return;
    }
    res.writeHead(200, headers);
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ---- the clients ----------------------------------------------------------------
type Method = 'GET' | 'PATCH';
type Send = (method: Method) => Promise<unknown>;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const throttle = { onRateLimit: () => false, onSecondaryRateLimit: () => false, id: 'bench', write: UNSPACED_WRITES };
const route = { GET: 'GET /repos/{owner}/{repo}', PATCH: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}' } as const;
const params = { owner: 'acme', repo: 'api', check_run_id: 1, status: 'completed', conclusion: 'success' };
const viaOctokit = (octokit: { request: (route: string, params: object) => Promise<unknown> }): Send =>
  (method) => octokit.request(route[method], method === 'GET' ? { owner: 'acme', repo: 'api' } : params);

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

async function appInstallationClient(): Promise<Send> {
  // As src/app/start.ts builds it, with the tests' unspaced writes.
  const Octokit = withChangeproofDefaults(ProbotOctokit).defaults((o: Record<string, unknown>) => ({
    ...o,
    throttle: { ...(o['throttle'] as object), write: UNSPACED_WRITES },
  }));
  const probot = new Probot({ appId: 4242, privateKey, baseUrl, log: pino({ level: 'silent' }), Octokit: Octokit as typeof ProbotOctokit });
  return viaOctokit(await probot.auth(INSTALLATION_ID));
}

const clients: Array<{ name: string; make: () => Promise<Send> }> = [
  {
    name: '(a) fetch (floor)',
    make: async () => (method) =>
      fetch(`${baseUrl}${method === 'GET' ? '/repos/acme/api' : '/repos/acme/api/check-runs/1'}`, {
        method,
        headers: { accept: 'application/vnd.github+json', authorization: 'token bench', 'content-type': 'application/json', 'user-agent': 'bench' },
        ...(method === 'GET' ? {} : { body: JSON.stringify({ status: 'completed', conclusion: 'success' }) }),
      }).then((r) => r.json()),
  },
  { name: '(b) @octokit/core', make: async () => viaOctokit(new Octokit({ baseUrl, auth: 'bench', log: silent })) },
  { name: '(c) + throttling', make: async () => viaOctokit(new (Octokit.plugin(throttling))({ baseUrl, auth: 'bench', log: silent, throttle })) },
  { name: '(d) + throttling + retry', make: async () => viaOctokit(new (Octokit.plugin(throttling, retry))({ baseUrl, auth: 'bench', log: silent, throttle })) },
  { name: "(e) the app's class", make: appInstallationClient },
  { name: '(f) createOctokit', make: async () => viaOctokit(createOctokit({ auth: 'bench', baseUrl, log: silent, throttleId: 'bench-f', throttle: { write: UNSPACED_WRITES } })) },
];

// ---- measuring ------------------------------------------------------------------
/**
 * Mean latency of one request (ms) and elapsed time ÷ requests (`wallMs`, the
 * cost of a request to a busy process): `streams` loops of sequential requests,
 * until `REQUESTS` in all or the budget is spent.
 */
async function measure(send: Send, method: Method, streams: number): Promise<{ ms: number; wallMs: number; count: number }> {
  const warm = performance.now() + WARM_UP_MS;
  for (let i = 0; i < WARM_UP && performance.now() < warm; i += streams) await Promise.all(Array.from({ length: streams }, () => send(method)));
  let count = 0;
  let total = 0;
  const begun = performance.now();
  const deadline = begun + BUDGET_MS;
  await Promise.all(
    Array.from({ length: streams }, async () => {
      while (count < REQUESTS && performance.now() < deadline) {
        count += 1;
        const start = performance.now();
        await send(method);
        total += performance.now() - start;
      }
    }),
  );
  return { ms: total / count, wallMs: (performance.now() - begun) / count, count };
}

/** Timers started per request, one request at a time (a hook on every async resource slows the run, so separately). */
async function timersPerRequest(send: Send, method: Method, n = 50): Promise<{ timeouts: number; immediates: number }> {
  await send(method);
  const seen = { timeouts: 0, immediates: 0 };
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') seen.timeouts += 1;
      else if (type === 'Immediate') seen.immediates += 1;
    },
  }).enable();
  for (let i = 0; i < n; i += 1) await send(method);
  hook.disable();
  return { timeouts: seen.timeouts / n, immediates: seen.immediates / n };
}

const fmt = (ms: number) => ms.toFixed(2).padStart(6);
const started = performance.now();
console.log(`Octokit per-request overhead — Node ${process.version}, loopback server at ${baseUrl}`);
console.log(`up to ${REQUESTS} requests per row after ${WARM_UP} warm-up (each row stops after ${BUDGET_MS} ms); concurrent: ${STREAMS} streams`);
console.log('ms/req: mean latency of one request; over floor: minus (a); × floor: ratio to (a); plugins: minus (b);');
console.log('wall/req: elapsed ÷ requests. With 10 streams on one event loop (server included) a request waits for the');
console.log("others' CPU, so its latency is about 10 × wall/req: the plugins' CPU shows there 10-fold.\n");

const made = await Promise.all(clients.map(async (c) => ({ ...c, send: await c.make() })));
const plugged = (name: string) => !name.startsWith('(a)') && !name.startsWith('(b)');
const cells = ({ ms, wallMs }: { ms: number; wallMs: number }, floor: number, core: number) =>
  `${fmt(ms)} ${fmt(ms - floor).padStart(10)} ${`${(ms / floor).toFixed(2)}×`.padStart(8)} ${fmt(ms - core).padStart(7)} ${fmt(wallMs).padStart(8)}`;
const head = `${'ms/req'.padStart(6)} ${'over floor'.padStart(10)} ${'× floor'.padStart(8)} ${'plugins'.padStart(7)} ${'wall/req'.padStart(8)}`;
for (const method of ['GET', 'PATCH'] as const) {
  for (const streams of [1, STREAMS]) {
    console.log(`${method}, ${streams === 1 ? 'sequential' : `${streams} concurrent streams`}`);
    console.log(`  ${''.padEnd(26)} | ${'stock Bottleneck'.padEnd(45)} | fixed (fast-bottleneck.ts)`);
    console.log(`  ${'client'.padEnd(26)} | ${head} | ${head}`);
    let floor = 0;
    let core = 0;
    for (const client of made) {
      if (!plugged(client.name)) {
        const m = await measure(client.send, method, streams);
        if (client.name.startsWith('(a)')) floor = m.ms;
        else core = m.ms;
        console.log(`  ${client.name.padEnd(26)} | ${cells(m, floor, core)} | (no Bottleneck)`);
        continue;
      }
      useBottleneck(stockBottleneck);
      const stock = await measure(client.send, method, streams);
      useBottleneck(fixedBottleneck);
      const fixed = await measure(client.send, method, streams);
      console.log(`  ${client.name.padEnd(26)} | ${cells(stock, floor, core)} | ${cells(fixed, floor, core)}`);
    }
    console.log('');
  }
}

console.log('timers started per request (sequential, 50 requests; fetchWithTimeout adds one AbortSignal.timeout to e and f)');
for (const [label, which] of [['stock', stockBottleneck], ['fixed', fixedBottleneck]] as const) {
  useBottleneck(which);
  for (const method of ['GET', 'PATCH'] as const) {
    for (const client of made) {
      if (label === 'fixed' && !plugged(client.name)) continue;
      const t = await timersPerRequest(client.send, method);
      console.log(`  ${label} ${method.padEnd(5)} ${client.name.padEnd(26)} setTimeout ${t.timeouts.toFixed(1).padStart(5)}  setImmediate ${t.immediates.toFixed(1).padStart(5)}`);
    }
  }
}
useBottleneck(fixedBottleneck);
console.log(`\ninstallation tokens issued: ${tokensIssued} (1 = cached after the first request); run took ${((performance.now() - started) / 1000).toFixed(1)} s`);
server.closeAllConnections();
server.close();
// Bottleneck groups keep an unref'd cleanup interval; nothing else holds the process.
