import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromPem, verifyLedger, type LedgerEntry } from '../../src/ledger/index.js';
import { PostgresLedger } from '../../src/ledger/postgres/postgres-ledger.js';
import { acmeScenario, APP_ID, INSTALLATION_ID, WEBHOOK_SECRET } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { deploymentStatusPayload, examplePayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { dropDatabases, freshDatabase, postgresUnavailable } from '../ledger/support/postgres.js';
import { ensureBuilt, startChildApp, type ChildApp } from './support/child-app.js';
import { acknowledged, byDelivery, post, recordedOnce, type Delivery } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { seeded, sleep } from './support/random.js';
import { startRoundRobinProxy } from './support/round-robin-proxy.js';

// Three replicas of the real app (`node lib/app/main.js`) share one
// PostgreSQL ledger behind a round-robin proxy, while 1,000 signed
// deliveries flow in and one replica at a time is killed with SIGKILL and
// started again every few seconds. Deliveries that were not acknowledged
// (a 502 from the proxy while a replica is down, a connection cut by the
// kill) are redelivered with the same X-GitHub-Delivery, as GitHub would.
// Afterwards: every acknowledged delivery recorded exactly once, one check
// run per head, one linear chain that verifies, no two checkpoints for one size.

const REPLICAS = 3;
const DELIVERIES = 1000;
const SENDERS = 8;
/** New deliveries per second: the load lasts ~20 s, so the kills land in it. */
const RATE = 50;
const KILL_EVERY_MS = [2000, 4000] as const;
const REPOS = ['acme/web', 'acme/svc-1', 'acme/svc-2', 'acme/svc-3', 'acme/svc-4', 'acme/svc-5'];
/** Evaluations cost two GitHub writes each, spaced a second apart by Octokit in production: keep them few. */
const MAX_EVALUATIONS = 12;

const unavailable = RELIABILITY ? await postgresUnavailable() : null;
if (unavailable) console.warn(`Skipping the replica test: ${unavailable}`);

const figures = useFigures('replicas', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'killsSurvived']);
const dirs: string[] = [];
let sim: GitHubSimulator | undefined;
const running = new Set<ChildApp>();

beforeAll(() => {
  if (RELIABILITY && !unavailable) ensureBuilt();
}, 120_000);
afterAll(async () => {
  for (const c of running) c.process.kill('SIGKILL');
  await sim?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropDatabases();
});

function world() {
  const s = acmeScenario().user('dave');
  s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'); // acme/api#1 compliant
  s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'failure'); // #2 non-compliant
  s.pullRequest({ author: 'carol' }).check('ci', 'success'); // #3 pending
  // Pushes and deployments spread over several repositories, as in an
  // organisation: one repository's deliveries run one at a time across the
  // replicas, different repositories in parallel.
  const heads = REPOS.map((repo) => {
    s.repo(repo);
    const root = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'bob' });
    return { repo, root, merged: s.currentRepository().branches.get('main')! };
  });
  return { s, heads };
}

/** A seeded mix: a few evaluations, then pushes, deployments and installation changes. */
function deliveries(sim: GitHubSimulator, heads: Array<{ repo: string; root: string; merged: string }>, seed: number): () => Delivery {
  const random = seeded(seed);
  let evaluations = 0;
  return () => {
    const roll = random.next();
    const id = randomUUID();
    if (roll < 0.05 && evaluations < MAX_EVALUATIONS) {
      evaluations += 1;
      const number = random.int(1, 3);
      return { id, event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', number, random.pick(['opened', 'edited', 'labeled']), { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    }
    const push = random.pick(heads);
    if (roll < 0.3) {
      const ref = `refs/heads/topic-${random.int(1, 1_000_000_000)}`;
      return { id, event: 'push', payload: pushPayload(sim, push.repo, { before: push.root, after: push.merged, pusher: 'bob', ref, installationId: INSTALLATION_ID }), expect: ['head_push'] };
    }
    if (roll < 0.9) {
      const payload = deploymentStatusPayload(sim, push.repo, { deploymentId: 5000 + random.int(1, 50), sha: push.merged, state: random.pick(['success', 'failure']), installationId: INSTALLATION_ID });
      return { id, event: 'deployment_status', payload, expect: ['deployment'] };
    }
    const payload = examplePayload('installation_repositories', 'added');
    payload['installation'] = { ...payload['installation'], id: INSTALLATION_ID };
    return { id, event: 'installation_repositories', payload, expect: ['installation'] };
  };
}

async function pendingInDatabase(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox WHERE completed_at IS NULL')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe.runIf(RELIABILITY)('three replicas on PostgreSQL, one killed with SIGKILL every few seconds', () => {
  it.skipIf(unavailable)(`record each of ${DELIVERIES} deliveries once, publish one check run per head, and keep one chain`, async () => {
    const { s, heads } = world();
    sim = await startGitHubSimulator(s);
    const dir = mkdtempSync(join(tmpdir(), 'changeproof-replicas-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'app.pem'), generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey);
    const databaseUrl = await freshDatabase('changeproof_replicas');
    const keyPath = join(dir, 'shared', 'ledger-signing-key.pem');
    const env = {
      APP_ID: String(APP_ID), PRIVATE_KEY_PATH: join(dir, 'app.pem'), WEBHOOK_SECRET, ...sim.env,
      DATABASE_URL: databaseUrl, CHANGEPROOF_SIGNING_KEY_PATH: keyPath,
    };
    // The first replica creates the schema and the key; the others start on them.
    const starting = Date.now();
    const replicas: ChildApp[] = [await startChildApp(env, { cwd: dir })];
    figures.note('firstStartMs', Date.now() - starting);
    replicas.push(...(await Promise.all(Array.from({ length: REPLICAS - 1 }, () => startChildApp(env, { cwd: dir })))));
    for (const r of replicas) running.add(r);
    const proxy = await startRoundRobinProxy(replicas.map((r) => r.url));

    const next = deliveries(sim, heads, 20261203);
    const random = seeded(17);
    const acked = new Map<string, Delivery>();
    const all = new Map<string, Delivery>();
    const redeliver: Delivery[] = [];
    let fresh = 0;
    const startedAt = Date.now();
    const send = async () => {
      for (;;) {
        let d = redeliver.shift();
        if (!d && fresh < DELIVERIES) {
          // Paced: new delivery number n goes out no earlier than n / RATE seconds in.
          const due = startedAt + (fresh * 1000) / RATE;
          fresh += 1;
          if (due > Date.now()) await sleep(due - Date.now());
          d = next();
        }
        if (!d) {
          if (fresh >= DELIVERIES && acked.size === all.size) return;
          await sleep(50);
          continue;
        }
        all.set(d.id, d);
        figures.sent += 1;
        const outcome = await post(`${proxy.url}/api/github/webhooks`, d);
        if (acknowledged(outcome)) acked.set(d.id, d);
        else {
          figures.refused += 1;
          if (!acked.has(d.id)) redeliver.push(d);
        }
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, send));

    // Every few seconds a running replica is killed and started again (on a new
    // port the proxy learns), while the others carry on.
    let kills = 0;
    const restartedAfterMs: number[] = [];
    const restarting = new Set<number>();
    const restarts: Array<Promise<void>> = [];
    let loading = true;
    const killer = (async () => {
      while (loading) {
        await sleep(random.int(...KILL_EVERY_MS));
        const up = replicas.map((_, slot) => slot).filter((slot) => !restarting.has(slot));
        if (!loading || up.length < 2) continue;
        const slot = up[random.int(0, up.length - 1)]!;
        const victim = replicas[slot]!;
        victim.process.kill('SIGKILL');
        await victim.exited;
        running.delete(victim);
        proxy.setTarget(slot, null);
        kills += 1;
        restarting.add(slot);
        const down = Date.now();
        restarts.push(startChildApp(env, { cwd: dir, timeoutMs: 60_000 }).then((restarted) => {
          running.add(restarted);
          replicas[slot] = restarted;
          proxy.setTarget(slot, restarted.url);
          restarting.delete(slot);
          restartedAfterMs.push(Date.now() - down);
        }));
      }
    })();
    await senders;
    loading = false;
    await killer;
    await Promise.all(restarts);
    const sendingMs = Date.now() - startedAt;

    // Every acknowledged delivery is finished by the replicas still running.
    const deadline = Date.now() + 90_000;
    while ((await pendingInDatabase(databaseUrl)) > 0) {
      if (Date.now() > deadline) throw new Error(`the replicas did not finish the inbox:\n${replicas.map((r) => r.output().slice(-3000)).join('\n---\n')}`);
      await sleep(200);
    }
    const drainedMs = Date.now() - startedAt;
    await Promise.all(replicas.map(async (r) => {
      r.process.kill('SIGTERM');
      expect((await r.exited).code, r.output().slice(-2000)).toBe(0);
      running.delete(r);
    }));
    await proxy.close();

    const publicKey = publicKeyFromPem(readFileSync(keyPath.replace(/\.pem$/, '.pub.pem'), 'utf8'));
    const ledger = await PostgresLedger.open(databaseUrl, { env: { CHANGEPROOF_SIGNING_KEY_PATH: keyPath } });
    const entries: LedgerEntry[] = [];
    for await (const e of ledger.read()) entries.push(e);
    await ledger.close();

    const recorded = byDelivery(entries);
    const lost = [...acked.values()].filter((d) => !recordedOnce(d, recorded.get(d.id)));
    figures.acknowledged = acked.size;
    figures.recorded = acked.size - lost.length;
    figures.lost = lost.length;
    figures.killsSurvived = lost.length === 0 ? kills : 0;
    const report = await verifyLedger(databaseUrl, { publicKey, requireFinalCheckpoint: true, canonical: true });
    const checkpointSizes = entries.filter((e) => e.kind === 'checkpoint').map((e) => (e.data as { size: number }).size);
    const runs = sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
    const runsPerHead = new Map<string, number>();
    for (const run of runs) runsPerHead.set(run.headSha, (runsPerHead.get(run.headSha) ?? 0) + 1);
    figures.note('kills', kills);
    figures.note('restartMs', { max: Math.max(...restartedAfterMs), median: restartedAfterMs.sort((a, b) => a - b)[Math.floor(restartedAfterMs.length / 2)] });
    figures.note('sendingMs', sendingMs);
    figures.note('drainedMs', drainedMs);
    figures.note('distinctDeliveries', all.size);
    figures.note('entries', entries.length);
    figures.note('checkpoints', checkpointSizes.length);
    figures.note('checkRuns', { runs: runs.length, heads: runsPerHead.size });

    expect(all.size).toBe(DELIVERIES);
    expect(acked.size).toBe(DELIVERIES);
    expect(lost.map((d) => `${d.event} ${d.id}`)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(report.failure).toBeNull();
    expect(report.signatures).toBe('verified');
    expect(new Set(checkpointSizes).size).toBe(checkpointSizes.length);
    expect([...runsPerHead.values()].filter((n) => n > 1)).toEqual([]);
    expect(runsPerHead.size).toBeGreaterThan(0);
    // Deliveries nobody sent are not in the ledger either.
    expect([...recorded.keys()].filter((id) => !all.has(id))).toEqual([]);
  }, 180_000);
});

