import { Probot, ProbotOctokit, run, Server } from 'probot';
import type { Logger } from 'pino';
import { withChangeproofDefaults } from '../github/octokit.js';
import { isDatabaseUrl, ledgerLocation, openLedger, printableLocation, scheduleCheckpoints, type Ledger } from '../ledger/index.js';
import type { LedgerSource } from '../export/ledger-source.js';
import { changeproof } from './index.js';
import { createLog } from './log.js';
import type { AppSettings } from './services.js';
import { credentialsState, loadDotEnv } from './setup-credentials.js';
import { DEFAULT_WEBHOOK_PATH } from './setup-manifest.js';
import { changeproofSetup, logSetupStart } from './setup.js';
import { VERSION } from '../version.js';
import type { DeliveryWorker } from './worker.js';

/**
 * Starts the app as `npm start` does: Probot's server with the standard
 * environment (APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT,
 * HOST, LOG_LEVEL, GHE_HOST / GHE_PROTOCOL, and `.env` of the working
 * directory). Without credentials it serves the setup flow (./setup.ts) and
 * the ledger is not opened. With them, the ledger (DATABASE_URL, else LEDGER_PATH) is opened
 * first — a ledger that cannot be opened stops the start with the reason —
 * and closed with a final signed checkpoint on SIGINT/SIGTERM.
 */
export async function startChangeproof(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  loadDotEnv(env);
  const mode = credentialsState(env);
  const log = await createLog(env);
  const stop = mode === 'none' ? await serveSetup(env, log) : await serveApp(env, log);
  stopOnSignals(stop);
}

/** The app: Probot with Changeproof loaded, the ledger open. Resolves with how to stop it cleanly. */
async function serveApp(env: NodeJS.ProcessEnv, log: Logger): Promise<() => Promise<void>> {
  const signingTokens = signingTokensOf(env);
  const settings = settingsOf(env);
  const shutdownHooks: Array<() => Promise<void>> = [];
  let ledger: Ledger | null = null;
  let worker: DeliveryWorker | null = null;
  const server = await run(
    async (app, options) => {
      // DATABASE_URL: PostgreSQL, shared with the other replicas; else the SQLite file.
      const location = ledgerLocation(env);
      ledger = await openLedger(location, { env, shareWork: true });
      const checkpoints = scheduleCheckpoints(ledger, { onError: (error) => app.log.error({ err: error }, 'could not sign a ledger checkpoint') });
      shutdownHooks.push(async () => checkpoints.stop());
      // A PostgreSQL ledger has no file to re-derive exports from: it is read through its own pool.
      const exportSource = isDatabaseUrl(location) ? await databaseExportSource(ledger, location) : undefined;
      changeproof({ ledger, appId: Number(env.APP_ID) || null, version: VERSION, apiToken: env.CHANGEPROOF_API_TOKEN || undefined, signingTokens, exportSource, settings, onStarted: (r) => {
        worker = r.worker;
        shutdownHooks.push(async () => r.recovery.stop());
      } })(app, options);
      app.log.info(`Changeproof ${VERSION}: ledger ${printableLocation(location)}`);
    },
    { env, Octokit: withChangeproofDefaults(ProbotOctokit), log },
  );
  // Probot's own SIGINT handler exits before the ledger is closed: stopOnSignals replaces it.
  process.removeAllListeners('SIGINT');
  return async () => {
    await worker?.stop();
    await server.stop();
    for (const hook of shutdownHooks) await hook();
    await ledger?.close();
  };
}

async function databaseExportSource(ledger: Ledger, location: string): Promise<(toSeq: number) => LedgerSource> {
  const { openLedgerSource } = await import('../ledger/postgres/pg-source.js');
  return (toSeq) => openLedgerSource(ledger, printableLocation(location), toSeq);
}

/** The setup flow on Probot's server (its static files and /ping), without a Probot app. */
async function serveSetup(env: NodeJS.ProcessEnv, log: Logger): Promise<() => Promise<void>> {
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const server = new Server({
    host: env.HOST || 'localhost',
    port: Number(env.PORT) || 3000,
    webhookPath,
    log,
    // Probot's server needs a Probot; the setup flow never uses it (Probot's own setup does the same).
    Probot: Probot.defaults({ appId: 1, privateKey: 'not used by the setup flow', log }),
  });
  const local = () => `http://${printableHost(env.HOST)}:${server.port}`;
  await server.loadHandlerFactory(() => changeproofSetup({ env, log, cwd: process.cwd(), localWebhookUrl: () => `${local()}${webhookPath}` }));
  await server.start();
  logSetupStart(log, env, local());
  return () => server.stop();
}

function printableHost(host: string | undefined): string {
  return !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}

/**
 * SIGINT and SIGTERM stop the app cleanly: running work finishes, the ledger
 * signs its final checkpoint, the process exits 0. The same signal often
 * arrives twice at once — `npm start` forwards the one `kill` of its process
 * group or the terminal's Ctrl-C already sent — and is ignored while stopping;
 * one sent again after two seconds gives up waiting and exits 1.
 */
function stopOnSignals(stop: () => Promise<void>): void {
  let since: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (since !== null) {
      if (Date.now() - since < 2_000) return;
      console.error(`${signal} again: exiting before Changeproof stopped cleanly; the ledger resumes from its last commit on the next start.`);
      process.exit(1);
    }
    since = Date.now();
    console.info(`${signal}: stopping Changeproof…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Changeproof could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * The worker's tunable settings from the environment, checked strictly (a
 * value that is not what the variable takes stops the start with the reason):
 * `CHANGEPROOF_COALESCE_MS` (how long a re-evaluation waits for more
 * deliveries about the same commit; 0 evaluates each on its own) and
 * `CHANGEPROOF_RATE_LIMIT_RESERVE` (the share of a GitHub rate limit kept for
 * merges, pushes and deployment gates; 0 never defers re-evaluations).
 *
 * @example settingsOf({ CHANGEPROOF_COALESCE_MS: '2000' }) // { coalesceMs: 2000 }
 */
export function settingsOf(env: NodeJS.ProcessEnv): Partial<AppSettings> {
  const settings: Partial<AppSettings> = {};
  const coalesce = env.CHANGEPROOF_COALESCE_MS;
  if (coalesce !== undefined && coalesce !== '') {
    if (!/^\d+$/.test(coalesce) || Number(coalesce) > 60_000) throw new Error(`CHANGEPROOF_COALESCE_MS must be a whole number of milliseconds from 0 to 60000 (got "${coalesce}")`);
    settings.coalesceMs = Number(coalesce);
  }
  const reserve = env.CHANGEPROOF_RATE_LIMIT_RESERVE;
  if (reserve !== undefined && reserve !== '') {
    if (!/^(?:0(?:\.\d+)?|\.\d+)$/.test(reserve) || Number(reserve) > 0.5) throw new Error(`CHANGEPROOF_RATE_LIMIT_RESERVE must be a share from 0 to 0.5, such as 0.1 for 10 % (got "${reserve}")`);
    settings.rateLimitReserve = Number(reserve);
  }
  return settings;
}

/**
 * `CHANGEPROOF_SIGNING_TOKEN`: one token, or several separated by commas while
 * one is rotated out. It must differ from the read token: whoever may read the
 * ledger must not thereby be able to have exports signed.
 */
export function signingTokensOf(env: NodeJS.ProcessEnv): string[] {
  const tokens = (env.CHANGEPROOF_SIGNING_TOKEN ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (env.CHANGEPROOF_API_TOKEN && tokens.includes(env.CHANGEPROOF_API_TOKEN)) {
    throw new Error('CHANGEPROOF_SIGNING_TOKEN must differ from CHANGEPROOF_API_TOKEN: the read token must not be able to have exports signed. Generate a token of its own (e.g. `openssl rand -hex 32`).');
  }
  return tokens;
}
