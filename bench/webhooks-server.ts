// The server process of `bench/webhooks.ts` (not run on its own): either the
// real Changeproof app (`app`) — Probot's Server, the compiled `changeproof()`
// from lib/, the durable inbox, the worker and a SQLite ledger on disk — or a
// bare Probot app (`bare`) whose `pull_request` and `pull_request_review`
// handlers do nothing: the framework's floor. Both verify the same signed
// deliveries and reach GitHub (the simulator) at BENCH_API_URL.
//
// IPC from the parent: `settle` answers once the work of every delivery
// acknowledged so far is finished (for the app: the worker is idle and the
// inbox empty); `verify` checks that every delivery was answered by an
// evaluation (its trigger, or folded into it as `coalesced`); `cpu` reports
// the CPU time used since the last `cpu`.
//
// For `--storm` (bench/webhooks-storm.ts): BENCH_SETTINGS (JSON) overrides app
// settings, BENCH_CAPTURE records the app's GitHub requests, and the `storm-…`
// questions are answered by bench/webhooks-storm-server.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { UNSPACED_WRITES } from '../test/support/simulator-octokit.js';
import { freePort } from '../test/support/free-port.js';
import { capturingFetch, stormHandler, type CapturedRequest, type StormServerRequest } from './webhooks-storm-server.js';
import { answeredDeliveries } from '../src/core/records.js';

// The compiled app, as `npm start` runs it (`npm run bench:webhooks` builds lib/ first).
const lib = <T,>(path: string): Promise<T> => import(new URL(`../lib/${path}`, import.meta.url).href) as Promise<T>;

export type ServerRequest =
  | { id: number; type: 'settle' }
  | { id: number; type: 'verify'; deliveryIds: string[] }
  | { id: number; type: 'cpu' }
  | { id: number; type: 'close' }
  | StormServerRequest;

interface Running {
  port: number;
  /** The app's GitHub requests: how many, time inside Octokit (retry and throttling included), time in `fetch` (until the simulator's response headers). */
  requests?: { count: number; inOctokitMs: number; fetchMs: number };
  settle(): Promise<void>;
  verify(deliveryIds: string[]): Promise<{ recorded: number; outcomes: Record<string, number>; pending: number }>;
  close(): Promise<void>;
  /** The storm's questions (the app with BENCH_CAPTURE only). */
  storm?: (message: StormServerRequest) => Promise<object>;
}

async function main(): Promise<void> {
  const role = process.argv[2];
  const env = { apiUrl: process.env['BENCH_API_URL']!, privateKey: process.env['BENCH_PRIVATE_KEY']!, secret: process.env['BENCH_WEBHOOK_SECRET']!, appId: Number(process.env['BENCH_APP_ID']) };
  const running = role === 'app' ? await startChangeproof(env) : await startBare(env);
  let cpu = process.cpuUsage();
  process.on('message', (message: ServerRequest) => {
    const reply = (body: object = {}) => process.send!({ id: message.id, ...body });
    switch (message.type) {
      case 'settle':
        void running.settle().then(() => reply());
        break;
      case 'verify':
        void running.verify(message.deliveryIds).then((result) => reply(result));
        break;
      case 'cpu': {
        const used = process.cpuUsage(cpu);
        cpu = process.cpuUsage();
        reply({ cpuMs: (used.user + used.system) / 1000, systemMs: used.system / 1000, requests: { ...running.requests } });
        if (running.requests) Object.assign(running.requests, { count: 0, inOctokitMs: 0, fetchMs: 0 });
        break;
      }
      case 'close':
        void running.close().then(() => {
          reply();
          process.disconnect();
        });
        break;
      default:
        if (running.storm) void running.storm(message).then((result) => reply(result));
    }
  });
  process.send!({ type: 'ready', port: running.port });
}

interface Env {
  apiUrl: string;
  privateKey: string;
  secret: string;
  appId: number;
}

/** Logging off in both servers alike (Probot logs every request at `info`). */
const log = pino({ level: 'silent' });

/** Mirrors `startApp` in test/support/app-harness.ts, on the compiled code and the production settings. */
async function startChangeproof(env: Env): Promise<Running> {
  const { changeproof } = await lib<typeof import('../src/app/index.js')>('app/index.js');
  const { withChangeproofDefaults } = await lib<typeof import('../src/github/octokit.js')>('github/octokit.js');
  const { SqliteLedger } = await lib<typeof import('../src/ledger/index.js')>('ledger/index.js');
  type Worker = import('../src/app/worker.js').DeliveryWorker;

  const dir = mkdtempSync(join(tmpdir(), 'changeproof-bench-webhooks-'));
  // Durable as in production: WAL, synchronous=FULL, one fsync per inbox write and per append.
  const ledger = SqliteLedger.open(join(dir, 'ledger.db'), { env: {} });
  // Where a GitHub request's time goes: the outermost request hook (a plugin added last) and `fetch` itself.
  const requests = { count: 0, inOctokitMs: 0, fetchMs: 0 };
  const timed = (octokit: { hook: { wrap: (name: 'request', fn: (request: (o: unknown) => Promise<unknown>, options: unknown) => Promise<unknown>) => void } }) => {
    octokit.hook.wrap('request', async (request, options) => {
      const start = performance.now();
      try {
        return await request(options);
      } finally {
        requests.count += 1;
        requests.inOctokitMs += performance.now() - start;
      }
    });
  };
  const captured: CapturedRequest[] = [];
  const innerFetch = process.env['BENCH_CAPTURE'] ? capturingFetch(fetch, captured) : fetch;
  const timedFetch: typeof fetch = async (input, init) => {
    const start = performance.now();
    try {
      return await innerFetch(input, init);
    } finally {
      requests.fetchMs += performance.now() - start;
    }
  };
  // GitHub's one-write-per-second spacing is GitHub's limit, not the app's cost: writes unspaced, as in
  // the tests. The throttling id stays Probot's (the installation's), as in production.
  const Octokit = withChangeproofDefaults(ProbotOctokit).plugin(timed as never).defaults((o: Record<string, unknown>) => ({
    ...o,
    request: { ...(o['request'] as object), fetch: timedFetch },
    throttle: { ...(o['throttle'] as object), write: UNSPACED_WRITES },
  }));
  const server = new Server({
    host: '127.0.0.1',
    port: await freePort(),
    log,
    Probot: Probot.defaults({ appId: env.appId, privateKey: env.privateKey, secret: env.secret, baseUrl: env.apiUrl, log, Octokit: Octokit as typeof ProbotOctokit }),
  });
  let worker!: Worker;
  let stopRecovery = () => {};
  // Production settings, except the missed-webhook recovery (its periodic GitHub reads would blur the request counts),
  // and whatever the parent sets (`--storm` compares settings).
  const overrides = JSON.parse(process.env['BENCH_SETTINGS'] ?? '{}') as Record<string, unknown>;
  await server.load(changeproof({ ledger, appId: env.appId, version: 'bench', settings: { recoveryIntervalMs: 0, ...overrides }, onStarted: (r) => {
    worker = r.worker;
    stopRecovery = () => r.recovery.stop();
  } }));
  await server.start();
  return {
    port: server.port,
    requests,
    ...(process.env['BENCH_CAPTURE'] ? { storm: stormHandler({ ledger, idle: () => worker.idle(), captured }) } : {}),
    async settle() {
      for (;;) {
        await worker.idle();
        if ((await ledger.inbox.pending()).length === 0) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async verify(deliveryIds) {
      const wanted = new Set(deliveryIds);
      const outcomes: Record<string, number> = {};
      let recorded = 0;
      for await (const entry of ledger.read({ kinds: ['evaluation'] })) {
        // An evaluation answers its trigger and any delivery folded into it.
        const answered = answeredDeliveries(entry.data).filter((id) => wanted.has(id)).length;
        if (!answered) continue;
        recorded += answered;
        const outcome = String((entry.data as { verdict?: { outcome?: string } }).verdict?.outcome);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + answered;
      }
      return { recorded, outcomes, pending: (await ledger.inbox.pending()).length };
    },
    async close() {
      stopRecovery();
      await worker.stop();
      await server.stop();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The floor: Probot receiving the same signed deliveries, with handlers that do nothing. */
async function startBare(env: Env): Promise<Running> {
  const server = new Server({
    host: '127.0.0.1',
    port: await freePort(),
    log,
    Probot: Probot.defaults({ appId: env.appId, privateKey: env.privateKey, secret: env.secret, baseUrl: env.apiUrl, log }),
  });
  await server.load((app) => {
    app.on(['pull_request', 'pull_request_review'], async () => {});
  });
  await server.start();
  return {
    port: server.port,
    // Probot answers after its handlers have run: an acknowledged delivery is finished.
    settle: async () => {},
    verify: async () => ({ recorded: 0, outcomes: {}, pending: 0 }),
    close: () => server.stop(),
  };
}

// Started by bench/webhooks.ts; gone with it.
if (process.send) {
  process.on('disconnect', () => process.exit(0));
  await main();
}
