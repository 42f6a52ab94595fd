import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSigningKeyPath, publicKeyFromPem, SqliteLedger, verifyLedger, type LedgerEntry } from '../../src/ledger/index.js';
import { acmeScenario, APP_ID, freshConnectionFetch, INSTALLATION_ID, WEBHOOK_SECRET } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { deploymentStatusPayload, examplePayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { startChildApp, useChildApps } from './support/child-app.js';
import { acknowledged, byDelivery, post, recordedOnce, type Delivery } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { seeded, sleep } from './support/random.js';

// The real app (`node lib/app/main.js`, production settings) runs as a child
// process against the GitHub simulator while deliveries flow into it, and is
// killed with SIGKILL at random moments; each time it is started again on the
// same ledger. Deliveries it did not acknowledge are redelivered (same
// X-GitHub-Delivery), as GitHub's redelivery would. Afterwards every
// acknowledged delivery must be in the ledger exactly once and the chain must verify.

const KILLS = 6;
const SENDERS = 4;
/** Evaluations cost two GitHub writes each, spaced a second apart by Octokit in production: keep them few. */
const MAX_EVALUATIONS = 12;

const figures = useFigures('kill', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'killsSurvived']);
const { state: apps, appFolder } = useChildApps({ enabled: RELIABILITY });

function world() {
  const s = acmeScenario().user('dave');
  s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'); // acme/api#1 compliant
  s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'failure'); // #2 non-compliant
  s.pullRequest({ author: 'carol' }).check('ci', 'success'); // #3 pending
  s.repo('acme/web');
  const root = s.currentRepository().branches.get('main')!;
  s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'bob' });
  const merged = s.currentRepository().branches.get('main')!;
  return { s, root, merged };
}

/** An endless, seeded mix of deliveries: evaluations, pushes, deployments and installation changes. */
function deliveries(sim: GitHubSimulator, push: { root: string; merged: string }, seed: number): () => Delivery {
  const random = seeded(seed);
  let evaluations = 0;
  return () => {
    const roll = random.next();
    const id = randomUUID();
    if (roll < 0.1 && evaluations < MAX_EVALUATIONS) {
      evaluations += 1;
      const number = random.int(1, 3);
      return { id, event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', number, random.pick(['opened', 'edited', 'labeled']), { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    }
    // A push is recorded once whatever delivery carries it, so each push here is to a branch of its own.
    if (roll < 0.25) {
      const ref = `refs/heads/topic-${random.int(1, 1_000_000_000)}`;
      return { id, event: 'push', payload: pushPayload(sim, 'acme/web', { before: push.root, after: push.merged, pusher: 'bob', ref, installationId: INSTALLATION_ID }), expect: ['head_push'] };
    }
    if (roll < 0.6) {
      const payload = deploymentStatusPayload(sim, 'acme/web', { deploymentId: 5000 + random.int(1, 50), sha: push.merged, state: random.pick(['success', 'failure']), installationId: INSTALLATION_ID });
      return { id, event: 'deployment_status', payload, expect: ['deployment'] };
    }
    const payload = examplePayload('installation_repositories', 'added');
    payload['installation'] = { ...payload['installation'], id: INSTALLATION_ID };
    return { id, event: 'installation_repositories', payload, expect: ['installation'] };
  };
}

interface Load {
  /** Stops after the posts in flight. */
  stop(): Promise<void>;
  /** Resolves when there is nothing left to send (without new deliveries: every redelivery acknowledged). */
  done: Promise<void>;
}

/**
 * SENDERS loops posting deliveries: redeliveries of unacknowledged ones
 * first, then new ones. A 2xx marks a delivery acknowledged; anything else
 * (a 5xx, a refused or dropped connection) queues it for redelivery.
 */
function flow(webhookUrl: string, next: () => Delivery, state: { acked: Map<string, Delivery>; redeliver: Delivery[]; all: Map<string, Delivery> }, options: { fresh: boolean }): Load {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const d = state.redeliver.shift() ?? (options.fresh ? next() : undefined);
      if (!d) return;
      state.all.set(d.id, d);
      figures.sent += 1;
      const outcome = await post(webhookUrl, d);
      if (acknowledged(outcome)) state.acked.set(d.id, d);
      else {
        if ('status' in outcome) figures.refused += 1;
        if (!state.acked.has(d.id)) state.redeliver.push(d);
      }
    }
  };
  const loops = Array.from({ length: SENDERS }, loop);
  const done = Promise.all(loops).then(() => undefined);
  return {
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}

/** Delivery ids in the inbox (accepted, whether finished or not) and in the ledger's delivery index, read without writing. */
function durableIds(ledgerPath: string): Set<string> {
  const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
  try {
    const ids = db.prepare<[], { id: string }>('SELECT delivery_id AS id FROM inbox UNION SELECT delivery_id AS id FROM deliveries').all();
    return new Set(ids.map((r) => r.id));
  } finally {
    db.close();
  }
}

/** The read token: the ledger's size and the pending deliveries are not for anyone. */
const HEALTH_TOKEN = 'kill-test-read-token';

async function health(url: string): Promise<{ pending_deliveries: number; ledger: { size: number } }> {
  const res = await freshConnectionFetch(`${url}/api/changeproof/health`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
  return (await res.json()) as { pending_deliveries: number; ledger: { size: number } };
}

describe.runIf(RELIABILITY)('the app killed with SIGKILL under load', () => {
  it(`records every acknowledged delivery once and keeps a verifiable chain (${KILLS} kills)`, async () => {
    const { s, root, merged } = world();
    const sim = await startGitHubSimulator(s);
    apps.sim = sim;
    const { dir, ledgerPath, env } = appFolder('changeproof-kill-', { APP_ID: String(APP_ID), WEBHOOK_SECRET, ...sim.env, CHANGEPROOF_API_TOKEN: HEALTH_TOKEN });
    const next = deliveries(sim, { root, merged }, 20260415);
    const random = seeded(7);
    const state = { acked: new Map<string, Delivery>(), redeliver: [] as Delivery[], all: new Map<string, Delivery>() };
    const replayed: number[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const app = await startChildApp(env, { cwd: dir });
      apps.children.push(app);
      replayed.push((await health(app.url)).pending_deliveries);
      const load = flow(app.webhookUrl, next, state, { fresh: true });
      // Every third kill lands right after start, while the inbox is being replayed.
      await sleep(kill % 3 === 2 ? random.int(0, 150) : random.int(400, 1500));
      const stopping = load.stop(); // no new posts; those in flight meet the kill
      app.process.kill('SIGKILL');
      expect((await app.exited).signal).toBe('SIGKILL');
      await stopping;
      apps.children = apps.children.filter((c) => c !== app);

      // At the moment of the crash, every acknowledged delivery was durable (inbox or ledger) …
      const durable = durableIds(ledgerPath);
      const notDurable = [...state.acked.keys()].filter((id) => !durable.has(id));
      expect(notDurable, `acknowledged but not on disk after kill ${kill + 1}`).toEqual([]);
      // … and the chain the kill left verifies.
      const publicKey = publicKeyFromPem(readFileSync(defaultSigningKeyPath(ledgerPath), 'utf8'));
      const report = await verifyLedger(ledgerPath, { publicKey });
      expect(report.failure, `chain after kill ${kill + 1}`).toBeNull();
    }

    // A last start: it replays what the kills left, takes the redeliveries, and drains.
    const app = await startChildApp(env, { cwd: dir });
    apps.children.push(app);
    replayed.push((await health(app.url)).pending_deliveries);
    await flow(app.webhookUrl, next, state, { fresh: false }).done;
    expect(state.redeliver).toEqual([]);
    const deadline = Date.now() + 90_000;
    while ((await health(app.url)).pending_deliveries > 0) {
      if (Date.now() > deadline) throw new Error(`the app did not finish its inbox:\n${app.output().slice(-4000)}`);
      await sleep(200);
    }
    app.process.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    apps.children = apps.children.filter((c) => c !== app);

    const ledger = SqliteLedger.open(ledgerPath, { env: {} });
    const entries: LedgerEntry[] = [];
    for await (const e of ledger.read()) entries.push(e);
    const publicKey = publicKeyFromPem(ledger.publicKeyPem());
    await ledger.close();
    const recorded = byDelivery(entries);
    const lost = [...state.acked.values()].filter((d) => !recordedOnce(d, recorded.get(d.id)));
    figures.acknowledged = state.acked.size;
    figures.recorded = state.acked.size - lost.length;
    figures.lost = lost.length;
    const report = await verifyLedger(ledgerPath, { publicKey, requireFinalCheckpoint: true });
    expect(report.failure).toBeNull();
    figures.killsSurvived = lost.length === 0 ? KILLS : 0;
    figures.note('replayedAtStart', replayed);
    figures.note('distinctDeliveries', state.all.size);
    figures.note('entries', entries.length);
    figures.note('kinds', Object.fromEntries(['evaluation', 'head_push', 'deployment', 'installation'].map((k) => [k, entries.filter((e) => e.kind === k).length])));

    expect(lost.map((d) => `${d.event} ${d.id}`)).toEqual([]);
    expect(state.acked.size).toBeGreaterThan(KILLS * 10);
    // Deliveries nobody sent are not in the ledger either.
    expect([...recorded.keys()].filter((id) => !state.all.has(id))).toEqual([]);
    // Every evaluation published a check run for the recorded verdict.
    for (const run of sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)')) {
      const seq = Number(/Ledger entry #(\d+)/.exec(run.output.summary ?? '')?.[1]);
      expect(entries.find((e) => e.seq === seq)?.kind).toBe('evaluation');
    }
  });
});
