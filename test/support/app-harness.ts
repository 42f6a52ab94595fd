import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { changeproof } from '../../src/app/index.js';
import type { AppSettings } from '../../src/app/services.js';
import type { LedgerSource } from '../../src/export/ledger-source.js';
import type { RecoveryRun } from '../../src/app/recovery/schedule-recovery.js';
import type { DeliveryWorker } from '../../src/app/worker.js';
import { withChangeproofDefaults } from '../../src/github/octokit.js';
import { SqliteLedger, type EntryKind, type Ledger, type LedgerEntry, type SqliteLedgerOptions } from '../../src/ledger/index.js';
import { afterEach } from 'vitest';
import { scenario, type ScenarioBuilder } from './scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from './simulator/server.js';
import { UNSPACED_WRITES } from './simulator-octokit.js';
import { postWebhook } from './webhooks.js';
import { freePort } from './free-port.js';

export const WEBHOOK_SECRET = 'e2e-webhook-secret';
export const APP_ID = 4242;
/** The installation of the app on `acme` in {@link acmeScenario}. */
export const INSTALLATION_ID = 77;

/** The test app's RSA key (fixtures/README.md): generating one costs 50–500 ms a file. */
const PRIVATE_KEY = readFileSync(new URL('./fixtures/test-app-key.pem', import.meta.url), 'utf8');

export interface RunningApp {
  url: string;
  webhookUrl: string;
  ledger: SqliteLedger;
  ledgerPath: string;
  worker: DeliveryWorker;
  recovery: { runNow(): Promise<RecoveryRun>; stop(): void };
  /** Posts a signed webhook (a wrong `secret` signs it badly). */
  deliver(event: string, payload: object, options?: { deliveryId?: string; secret?: string; signature?: string }): Promise<Response>;
  /** Posts a webhook and waits until the app has finished with it. */
  deliverAndSettle(event: string, payload: object, options?: { deliveryId?: string }): Promise<Response>;
  entries(kind?: EntryKind): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

/**
 * Starts the real Changeproof app (Probot's server, the durable inbox, the
 * worker, a SQLite ledger on disk) against the GitHub simulator over real HTTP
 * on 127.0.0.1, authenticated as GitHub App 4242 with a JWT and installation tokens.
 *
 * @example
 * const app = await startApp(sim);
 * await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId }));
 */
export interface AppOptions {
  settings?: Partial<AppSettings>;
  clock?: () => Date;
  apiToken?: string;
  /** `CHANGEPROOF_SIGNING_TOKEN`: lets the app sign exports it re-derives. */
  signingToken?: string;
  signingPerHour?: number;
  respondingPerHour?: number;
  ledgerPath?: string;
  /** Also time the ledger (recorded_at, the inbox's acceptance time) with `clock`. */
  ledgerOnClock?: boolean;
  /** More options for opening the ledger (e.g. `maxSizeBytes` to make it full, `busyTimeoutMs`). */
  ledgerOptions?: Omit<SqliteLedgerOptions, 'env' | 'clock'>;
  /**
   * Another ledger (a PostgreSQL one, for replicas sharing it) instead of a SQLite file;
   * `ledger` and `ledgerPath` of the running app are then only its Ledger interface and ''.
   */
  ledger?: Ledger;
  /** How the app reads its ledger to re-derive an export before signing it (a PostgreSQL ledger's, as the app's start wires it). */
  exportSource?: (toSeq: number) => LedgerSource;
}

export async function startApp(sim: GitHubSimulator, options: AppOptions = {}): Promise<RunningApp> {
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const ledgerPath = options.ledger ? '' : options.ledgerPath ?? join(mkdtempSync(join(tmpdir(), 'changeproof-e2e-')), 'ledger.db');
  const ledger = (options.ledger as SqliteLedger | undefined)
    ?? SqliteLedger.open(ledgerPath, { ...options.ledgerOptions, env: {}, ...(options.ledgerOnClock && options.clock ? { clock: options.clock } : {}) });
  const Octokit = withChangeproofDefaults(ProbotOctokit, { delayUnitMs: 1 }).defaults((o: Record<string, unknown>) => ({
    ...o,
    throttle: { ...(o['throttle'] as object), write: UNSPACED_WRITES, id: randomUUID() },
  }));
  const server = new Server({
    host: '127.0.0.1',
    // Probot reads port 0 as "use 3000": pick a free port, so test files can run side by side.
    port: await freePort(),
    log,
    Probot: Probot.defaults({ appId: APP_ID, privateKey: PRIVATE_KEY, secret: WEBHOOK_SECRET, baseUrl: sim.apiUrl, log, Octokit: Octokit as typeof ProbotOctokit }),
  });
  let worker!: DeliveryWorker;
  let recovery!: RunningApp['recovery'];
  await server.load(
    changeproof({
      ledger,
      appId: APP_ID,
      version: 'test',
      apiToken: options.apiToken,
      signingTokens: options.signingToken ? [options.signingToken] : [],
      signingPerHour: options.signingPerHour,
      respondingPerHour: options.respondingPerHour,
      ...(options.exportSource ? { exportSource: options.exportSource } : {}),
      clock: options.clock,
      settings: { retryDelaysMs: [5], reevaluationDelaysMs: [20], pushSettleMs: 0, maxAttempts: 3, recoveryIntervalMs: 0, coalesceMs: 20, coalesceMaxMs: 200, ...options.settings },
      onStarted: (r) => {
        worker = r.worker;
        recovery = r.recovery;
      },
    }),
  );
  await server.start();
  const url = `http://127.0.0.1:${server.port}`;
  const webhookUrl = `${url}/api/github/webhooks`;
  const deliver: RunningApp['deliver'] = (event, payload, o = {}) =>
    postWebhook(webhookUrl, event, payload, {
      secret: o.secret ?? WEBHOOK_SECRET,
      fetch: freshConnectionFetch,
      ...(o.signature ? { signature: o.signature } : {}),
      ...(o.deliveryId ? { deliveryId: o.deliveryId } : {}),
    });
  return {
    url,
    webhookUrl,
    ledger,
    ledgerPath,
    get worker() {
      return worker;
    },
    get recovery() {
      return recovery;
    },
    deliver,
    async deliverAndSettle(event, payload, o = {}) {
      const res = await deliver(event, payload, o);
      await worker.idle();
      return res;
    },
    async entries(kind) {
      const out: LedgerEntry[] = [];
      for await (const e of ledger.read(kind ? { kinds: [kind] } : {})) out.push(e);
      return out;
    },
    async close() {
      recovery.stop();
      await worker.stop();
      await server.stop();
      await ledger.close();
    },
  };
}

/**
 * `fetch` over a new connection each time. Test apps come and go on ports the
 * OS reuses, and a pooled keep-alive socket to a stopped app would be reset.
 */
export const freshConnectionFetch: typeof fetch = (input, init = {}) =>
  new Promise((resolve, reject) => {
    const url = new URL(String(input));
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve(new Response(res.statusCode === 204 || res.statusCode === 304 ? null : body, { status: res.statusCode ?? 0, headers }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body === undefined || init.body === null ? undefined : String(init.body));
  });

/** `acme/api` with Changeproof installed (installation 77) and alice, bob and carol. */
export function acmeScenario(options: { start?: string } = {}): ScenarioBuilder {
  return scenario(options).installation({ id: INSTALLATION_ID, account: 'acme', appId: APP_ID }).repo('acme/api').user('alice').user('bob').user('carol');
}

/**
 * A simulator and an app per test, both stopped after it.
 *
 * @example
 * const env = useApp();
 * it('…', async () => { const { sim, app } = await env.start(acmeScenario().pullRequest({ author: 'alice' })); });
 */
export function useApp() {
  let sim: GitHubSimulator | undefined;
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sim?.close();
    app = sim = undefined;
  });
  return {
    async start(s: ScenarioBuilder, options: AppOptions | ((sim: GitHubSimulator) => AppOptions) = {}) {
      sim = await startGitHubSimulator(s);
      app = await startApp(sim, typeof options === 'function' ? options(sim) : options);
      return { sim, app };
    },
    /** Stops the app and starts a new one on the same simulator and ledger file (a restart). */
    async restart(options: AppOptions = {}) {
      if (!sim || !app) throw new Error('restart() before start()');
      const ledgerPath = app.ledgerPath;
      await app.close();
      app = await startApp(sim, { ...options, ledgerPath });
      return app;
    },
  };
}
