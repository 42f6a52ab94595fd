import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromPem, SqliteLedger, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, APP_ID, freshConnectionFetch, INSTALLATION_ID, startApp, WEBHOOK_SECRET, type AppOptions, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload } from '../support/webhooks.js';
import { startChild } from '../ledger/support/child.js';
import { acknowledged, byDelivery, post, recordedOnce, type Delivery } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { sleep } from './support/random.js';
import { entryOfRun, expectedRun, falseSuccesses, ourRuns, verdictOf } from './support/verdicts.js';

// The ledger's disk failing under the running app: full (SQLite's page cap,
// and a real tmpfs that runs out of space), read-only, locked by another
// process. Deliveries that cannot be stored are refused with a 5xx so GitHub
// redelivers them; those already acknowledged are finished once the disk
// recovers; nothing is half-written.

const figures = useFigures('disk', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'faultsInjected', 'falseSuccesses']);
let running: { sim?: GitHubSimulator; apps: RunningApp[]; mounts: string[]; dirs: string[] } = { apps: [], mounts: [], dirs: [] };
afterEach(async () => {
  for (const app of running.apps) await app.close().catch(() => undefined);
  await running.sim?.close();
  for (const m of running.mounts) execFileSync('umount', [m]);
  for (const d of running.dirs) rmSync(d, { recursive: true, force: true });
  running = { apps: [], mounts: [], dirs: [] };
});

/** Twelve open pull requests in acme/api, each compliant. */
async function world(): Promise<GitHubSimulator> {
  const s = acmeScenario();
  for (let i = 0; i < 12; i++) s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
  running.sim = await startGitHubSimulator(s);
  return running.sim;
}

/** Back-offs long enough that a worker waiting for the disk does not spin. */
const SETTINGS = { retryDelaysMs: [20, 50, 100] };

async function start(sim: GitHubSimulator, options: AppOptions): Promise<RunningApp> {
  const app = await startApp(sim, { settings: SETTINGS, apiToken: 'disk-test-read-token', ...options });
  running.apps.push(app);
  return app;
}

/** Stops an app whose ledger may not take the final checkpoint (a full disk): its close says so and still releases the file. */
async function stop(app: RunningApp): Promise<void> {
  running.apps = running.apps.filter((a) => a !== app);
  await app.close().catch((error: unknown) => expect(error).toMatchObject({ code: expect.stringMatching(/^LEDGER_(FULL|READ_ONLY)$/) }));
}

function delivery(sim: GitHubSimulator, n: number): Delivery {
  return { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', n, 'edited', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
}

/** The app's own SQLite connection (to switch it to read-only, as a read-only file would refuse writes). */
const connectionOf = (app: RunningApp) => (app.ledger as unknown as { db: Database.Database }).db;

/** Posts `count` deliveries, 8 at a time; returns what became of each. */
async function flood(app: RunningApp, sim: GitHubSimulator, count: number): Promise<{ acked: Delivery[]; refused: Delivery[]; statuses: number[] }> {
  const acked: Delivery[] = [];
  const refused: Delivery[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 8) {
    const batch = Array.from({ length: Math.min(8, count - i) }, (_, k) => delivery(sim, ((i + k) % 12) + 1));
    const outcomes = await Promise.all(batch.map((d) => post(app.webhookUrl, d)));
    figures.sent += batch.length;
    outcomes.forEach((o, k) => {
      statuses.push('status' in o ? o.status : 0);
      if (acknowledged(o)) acked.push(batch[k]!);
      else refused.push(batch[k]!);
    });
  }
  figures.refused += refused.length;
  return { acked, refused, statuses };
}

/**
 * After the disk recovered: every acknowledged delivery recorded once, the
 * chain verifies, SQLite's integrity check passes, and every check run shows a
 * verdict that is in the ledger.
 */
async function intact(app: RunningApp, sim: GitHubSimulator, acked: Delivery[]): Promise<void> {
  const entries = await app.entries();
  const recorded = byDelivery(entries);
  const unique = [...new Map(acked.map((d) => [d.id, d])).values()];
  const lost = unique.filter((d) => !recordedOnce(d, recorded.get(d.id)));
  figures.acknowledged += unique.length;
  figures.recorded += unique.length - lost.length;
  figures.lost += lost.length;
  expect(lost.map((d) => d.id)).toEqual([]);
  expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).failure).toBeNull();
  const db = new Database(app.ledgerPath, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  // Deliveries indexed in the ledger all have their entries: no append was half-written.
  const orphans = db.prepare('SELECT COUNT(*) AS n FROM deliveries d LEFT JOIN entries e ON e.seq = d.seq WHERE e.seq IS NULL').get() as { n: number };
  db.close();
  expect(orphans.n).toBe(0);
  // Every pull request here is compliant: a success must still be one a recorded verdict established.
  const wrong = falseSuccesses(sim, entries, ['acme/api'], () => 'compliant', { settled: true });
  figures.falseSuccesses += wrong.length;
  expect(wrong).toEqual([]);
  for (const run of ourRuns(sim, 'acme/api')) {
    const entry = entryOfRun(run, entries);
    expect(entry, `check run ${run.id} shows a verdict the ledger does not hold`).toBeDefined();
    if (entry!.kind === 'evaluation') expect(run).toMatchObject(expectedRun(verdictOf(entry!).outcome));
  }
}

/** Redelivers what was refused (as GitHub's redelivery would) until all is acknowledged. */
async function redeliver(app: RunningApp, refused: Delivery[]): Promise<void> {
  for (const d of refused) {
    figures.sent += 1;
    expect(acknowledged(await post(app.webhookUrl, d))).toBe(true);
  }
}

describe.runIf(RELIABILITY)('a ledger that cannot be written', () => {
  it('full (SQLite page cap): deliveries refused with 5xx, the acknowledged ones finished once there is room, nothing half-written', async () => {
    const sim = await world();
    const dir = mkdtempSync(join(tmpdir(), 'changeproof-full-'));
    running.dirs.push(dir);
    const ledgerPath = join(dir, 'ledger.db');
    let app = await start(sim, { ledgerPath });
    const before = await flood(app, sim, 8);
    await app.worker.idle();
    await stop(app);

    // The disk now has room for a few more pages only.
    const probe = new Database(ledgerPath, { readonly: true });
    const size = (probe.pragma('page_count', { simple: true }) as number) * (probe.pragma('page_size', { simple: true }) as number);
    probe.close();
    app = await start(sim, { ledgerPath, ledgerOptions: { maxSizeBytes: size + 160 * 1024 } });
    figures.faultsInjected += 1;
    const during = await flood(app, sim, 80);
    await sleep(300); // the worker keeps retrying what it accepted; it cannot record it
    expect(during.statuses.every((s) => (s >= 200 && s < 300) || s >= 500), JSON.stringify(during.statuses)).toBe(true);
    expect(during.refused.length).toBeGreaterThan(0);
    const health = await freshConnectionFetch(`${app.url}/api/changeproof/health`, { headers: { authorization: 'Bearer disk-test-read-token' } }).then((r) => r.json() as Promise<{ pending_deliveries: number }>);
    figures.note('fullPageCap', { acknowledged: during.acked.length, refused: during.refused.length, pendingWhileFull: health.pending_deliveries });
    await stop(app);

    // Room again (the operator freed the disk); the app restarts, replays its inbox, GitHub redelivers.
    app = await start(sim, { ledgerPath });
    await app.worker.idle();
    await redeliver(app, during.refused);
    await app.worker.idle();
    await intact(app, sim, [...before.acked, ...during.acked, ...during.refused]);
  });

  it('full (a real 1 MiB tmpfs): ENOSPC refused with 5xx, finished without a restart once the disk grows', async (ctx) => {
    const mount = mkdtempSync(join(tmpdir(), 'changeproof-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      rmSync(mount, { recursive: true, force: true });
      figures.note('tmpfs', 'skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');
      ctx.skip();
      return;
    }
    running.mounts.push(mount);
    running.dirs.push(mount);
    const sim = await world();
    const app = await start(sim, { ledgerPath: join(mount, 'ledger.db') });
    figures.faultsInjected += 1;
    // Big pull request bodies make each evaluation entry large, so the disk fills quickly.
    for (const pr of sim.world.repo('acme/api').pulls.values()) pr.body = 'x'.repeat(30_000);
    const during = await flood(app, sim, 120);
    await sleep(300);
    expect(during.statuses.every((s) => (s >= 200 && s < 300) || s >= 500)).toBe(true);
    expect(during.refused.length).toBeGreaterThan(0);
    figures.note('tmpfs', { acknowledged: during.acked.length, refused: during.refused.length });

    execFileSync('mount', ['-o', 'remount,size=64m', mount]);
    await app.worker.idle(); // the worker's retries now succeed
    await redeliver(app, during.refused);
    await app.worker.idle();
    await intact(app, sim, [...during.acked, ...during.refused]);
    await stop(app);
  });

  it('read-only while running: deliveries refused with 5xx, accepted work finished once writable, nothing half-written', async () => {
    const sim = await world();
    const app = await start(sim, {});
    const before = await flood(app, sim, 8);
    await app.worker.idle();
    // Accepted, then the ledger turns read-only before the worker records it.
    const late = await flood(app, sim, 8);
    connectionOf(app).pragma('query_only = 1');
    figures.faultsInjected += 1;
    const size = (await app.ledger.head()).size;
    const during = await flood(app, sim, 24);
    expect(during.refused).toHaveLength(24);
    expect(during.statuses.every((s) => s >= 500)).toBe(true);
    await sleep(200);
    expect((await app.ledger.head()).size).toBe(size); // nothing was written while read-only
    connectionOf(app).pragma('query_only = 0');
    await app.worker.idle();
    await redeliver(app, during.refused);
    await app.worker.idle();
    await intact(app, sim, [...before.acked, ...late.acked, ...during.refused]);
  });

  it('locked by another process past the busy timeout: 5xx, then accepted on redelivery', async () => {
    const sim = await world();
    const app = await start(sim, { ledgerOptions: { busyTimeoutMs: 200 } });
    const other = new Database(app.ledgerPath);
    other.exec('BEGIN IMMEDIATE');
    figures.faultsInjected += 1;
    const during = await flood(app, sim, 8);
    expect(during.statuses.every((s) => s >= 500)).toBe(true);
    other.exec('ROLLBACK');
    other.close();
    await redeliver(app, during.refused);
    await app.worker.idle();
    await intact(app, sim, during.refused);
  });

  it('a read-only ledger file at start: the app (as an unprivileged user) stops with the reason, the file untouched', async () => {
    const sim = await world();
    const dir = mkdtempSync(join(tmpdir(), 'changeproof-ro-'));
    running.dirs.push(dir);
    const ledgerPath = join(dir, 'data', 'ledger.db');
    mkdirSync(join(dir, 'data'));
    const ledger = SqliteLedger.open(ledgerPath, { env: {} });
    await ledger.append({ kind: 'installation', repo: null, subject: 'installation/77', data: { note: 'before' } }, { deliveryId: 'seed' });
    await ledger.close();
    const hash = () => createHash('sha256').update(readFileSync(ledgerPath)).digest('hex');
    const was = hash();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'data'), 0o555);
    chmodSync(ledgerPath, 0o444);
    figures.faultsInjected += 1;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = startChild('../../../src/app/main.ts', [], {
      ...asNobody,
      env: { HOME: '/tmp', PORT: '0', APP_ID: String(APP_ID), PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey, WEBHOOK_SECRET, ...sim.env, LEDGER_PATH: ledgerPath, LOG_LEVEL: 'warn' },
    });
    const exit = await child.exited;
    chmodSync(join(dir, 'data'), 0o755);
    chmodSync(ledgerPath, 0o644);
    const output = child.stderr() + child.lines.join('\n');
    expect(exit.code, output).toBe(1);
    expect(output).toContain('Changeproof could not start:');
    expect(output).toMatch(/read-only|writable/);
    expect(output).not.toMatch(/^\s+at /m);
    expect(hash()).toBe(was);
  });
});
