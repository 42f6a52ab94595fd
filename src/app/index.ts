import type { ApplicationFunctionOptions, Probot } from 'probot';
import { PolicyCache } from '../github/policy-cache.js';
import { PublishedCheckRuns } from '../github/published-check-runs.js';
import { RateLimits, watchRateLimits } from '../github/rate-limits.js';
import type { Ledger } from '../ledger/index.js';
import { HANDLED_EVENTS } from './dispatch.js';
import { apiRoutes } from './http/api-routes.js';
import { limitIntake } from './intake-limit.js';
import { scheduleRecovery } from './recovery/schedule-recovery.js';
import { DEFAULT_SETTINGS, type AppServices, type AppSettings } from './services.js';
import { DeliveryWorker } from './worker.js';
import type { LedgerSource } from '../export/ledger-source.js';
import { sqliteSource } from '../export/sqlite-source.js';
import { SqliteLedger } from '../ledger/index.js';

export interface ChangeproofOptions {
  ledger: Ledger;
  /** The app's GitHub id (APP_ID), to tell its own check runs and suites from others'. */
  appId: number | null;
  version: string;
  /** `CHANGEPROOF_API_TOKEN`; without it the read API is off. */
  apiToken?: string;
  /** `CHANGEPROOF_SIGNING_TOKEN` (comma-separated while rotating); without one the app signs no export. */
  signingTokens?: string[];
  /** Signing requests allowed per token per hour (default 10). */
  signingPerHour?: number;
  /** Responses to exceptions through the API allowed per signing token per hour (default 60). */
  respondingPerHour?: number;
  /** The ledger as an export source up to a seq, for re-deriving exports before signing them (default: the SQLite ledger's file). */
  exportSource?: (toSeq: number) => LedgerSource;
  clock?: () => Date;
  settings?: Partial<AppSettings>;
  /** Called with the running worker and recovery (tests drive them; the server stops them on shutdown). */
  onStarted?: (running: { worker: DeliveryWorker; recovery: ReturnType<typeof scheduleRecovery> }) => void;
}

/**
 * The Changeproof Probot app.
 *
 * 1. Webhook bodies over GitHub's 25 MB cap are refused (413) before they are
 *    buffered (see intake-limit.ts).
 * 2. Every delivery of a handled event is stored in the durable inbox before
 *    GitHub gets its 2xx (a failure to store answers 5xx, so GitHub can redeliver).
 * 3. The worker evaluates, records in the ledger and publishes (see `dispatch.ts`).
 * 4. `/api/changeproof/*` serves health, the public key and the ledger.
 * 5. Missed webhooks are recovered on start and periodically (redeliveries, merge sweep).
 *
 * @example await server.load(changeproof({ ledger, appId: 123, version: '0.1.0' }));
 */
export function changeproof(options: ChangeproofOptions) {
  return (app: Probot, { addHandler }: ApplicationFunctionOptions): void => {
    limitIntake(app);
    const clock = options.clock ?? (() => new Date());
    const rateLimits = new RateLimits(clock);
    const services: AppServices = {
      ledger: options.ledger,
      clock,
      policyCache: new PolicyCache(),
      publishedCheckRuns: new PublishedCheckRuns(),
      rateLimits,
      installationClient: async (id) => watchRateLimits(await app.auth(id), id, rateLimits),
      appClient: () => app.auth(),
      log: app.log,
      appId: options.appId,
      settings: { ...DEFAULT_SETTINGS, ...options.settings },
    };
    const worker = new DeliveryWorker(services);
    const handled = new Set<string>(HANDLED_EVENTS);

    app.onAny(async (context) => {
      if (!handled.has(context.name)) return;
      await services.ledger.inbox.accept(context.id, context.name, JSON.stringify(context.payload));
      worker.notify(context.id);
    });
    addHandler(
      apiRoutes({
        ledger: services.ledger,
        version: options.version,
        apiToken: options.apiToken,
        pendingWork: async () => (await services.ledger.inbox.pendingIds()).length,
        rateLimits: () => rateLimits.snapshot(),
        deferred: () => worker.deferredReevaluations(),
        signing: {
          signingTokens: options.signingTokens ?? [],
          exportSource: options.exportSource ?? sqliteExportSource(options.ledger),
          perHour: options.signingPerHour,
          clock: services.clock,
          github: { appClient: services.appClient, installationClient: services.installationClient },
        },
        responding: { appClient: services.appClient, installationClient: services.installationClient, clock: services.clock, perHour: options.respondingPerHour },
      }),
    );
    worker.start();
    const recovery = scheduleRecovery(services, worker);
    options.onStarted?.({ worker, recovery });
  };
}

/** The SQLite ledger's own file, read-only, as an export source bounded to a seq (null for a ledger in memory). */
function sqliteExportSource(ledger: Ledger): ((toSeq: number) => LedgerSource) | null {
  if (!(ledger instanceof SqliteLedger) || ledger.path === ':memory:') return null;
  return (toSeq) => sqliteSource(ledger.path, {}, { toSeq, publicKeyPem: ledger.publicKeyPem() });
}
