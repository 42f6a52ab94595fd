import { ProbotOctokit, run } from 'probot';
import { withChangeproofDefaults } from '../github/octokit.js';
import { defaultLedgerPath, scheduleCheckpoints, SqliteLedger, type Ledger } from '../ledger/index.js';
import { changeproof } from './index.js';
import { createLog } from './log.js';
import { VERSION } from '../version.js';
import type { DeliveryWorker } from './worker.js';

/**
 * Starts the app as `npm start` does: Probot's server with the standard
 * environment (APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT,
 * LOG_LEVEL, GHE_HOST / GHE_PROTOCOL). Without credentials Probot serves its
 * setup flow from app.yml and the ledger is not opened. With them, the ledger
 * (LEDGER_PATH) is opened first — a ledger that cannot be opened stops the
 * start with the reason — and closed with a final signed checkpoint on
 * SIGINT/SIGTERM.
 */
export async function startChangeproof(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const signingTokens = signingTokensOf(env);
  let ledger: Ledger | null = null;
  let worker: DeliveryWorker | null = null;
  const server = await run(
    async (app, options) => {
      ledger = SqliteLedger.open(defaultLedgerPath(env), { env });
      const checkpoints = scheduleCheckpoints(ledger, { onError: (error) => app.log.error({ err: error }, 'could not sign a ledger checkpoint') });
      shutdownHooks.push(async () => checkpoints.stop());
      changeproof({ ledger, appId: Number(env.APP_ID) || null, version: VERSION, apiToken: env.CHANGEPROOF_API_TOKEN || undefined, signingTokens, onStarted: (r) => {
        worker = r.worker;
        shutdownHooks.push(async () => r.recovery.stop());
      } })(app, options);
      app.log.info(`Changeproof ${VERSION}: ledger ${defaultLedgerPath(env)}`);
    },
    { Octokit: withChangeproofDefaults(ProbotOctokit), log: await createLog(env) },
  );

  // Probot's own SIGINT handler exits before the ledger is closed: replace it with one that
  // finishes running work, signs a final checkpoint, then exits.
  process.removeAllListeners('SIGINT');
  const shutdown = async (signal: string) => {
    console.info(`${signal}: stopping Changeproof…`);
    try {
      await worker?.stop();
      await server.stop();
      for (const hook of shutdownHooks) await hook();
      await ledger?.close();
      process.exit(0);
    } catch (error) {
      console.error(`Changeproof could not stop cleanly: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

const shutdownHooks: Array<() => Promise<void>> = [];

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
