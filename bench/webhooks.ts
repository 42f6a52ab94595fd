// Webhook benchmark: `npm run bench:webhooks` (builds lib/, then runs this with tsx).
//
// Signed `pull_request` (opened, synchronize) and `pull_request_review`
// (submitted) deliveries, each with its own X-GitHub-Delivery, posted over
// loopback HTTP (kept-alive connections) at several concurrencies to
//   - the real app: Probot's Server with the compiled `changeproof()` from lib/,
//     the durable inbox, the worker and a SQLite ledger (synchronous=FULL), with
//     the GitHub simulator answering GitHub's API; and
//   - the floor: a bare Probot app whose handlers do nothing, receiving the same
//     signed deliveries at the same concurrencies, in the same run (rounds alternate).
// It prints
//   - throughput, counted until the work is finished (the app's worker is idle,
//     its inbox empty, and the ledger is then checked to answer every delivery
//     with an evaluation, as its trigger or folded into it), as a ratio of the
//     bare app's — target ≥ 0.5×;
//   - p50/p99 of the acknowledgement (HTTP response time) — target p99 ≤ 100 ms at 50
//     (judged on every delivery; p99 without each run's opening burst is printed beside it);
//   - GitHub API requests per evaluation (the simulator counts them) against the
//     floor of 1 read + 1 write;
//   - the CPU each process spent per delivery. The simulator runs on the same
//     cores, so its share is printed beside the app's, with the ceiling it sets;
//   - where a GitHub request's time goes: inside Octokit vs in `fetch`.
// The app acknowledges faster than it evaluates, so at every concurrency its
// throughput is the worker's (deliveries of one repository run one at a time).
// Three processes: this one (load generator), the simulator, the server under test.
//
// Options: --rounds N (default 3; medians are printed), --scale X (deliveries per
// run × X), --repos N (spread the 200 pull requests over N repositories instead of 2),
// --profile app|bare|simulator (V8 CPU profile of that process, in a temp folder).
// `--storm` runs the storm benchmark instead (bench/webhooks-storm.ts).
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Child } from './ipc-child.js';
import type { BenchPayload } from './webhooks-simulator.js';

// `--storm`: coalescing and check-run write-skipping under bursts of checks and reviews (bench/webhooks-storm.ts).
if (process.argv.includes('--storm')) {
  await (await import('./webhooks-storm.js')).main(process.argv.slice(2));
  process.exit();
}

const { values } = parseArgs({ options: { rounds: { type: 'string' }, scale: { type: 'string' }, repos: { type: 'string' }, profile: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 3);
const SCALE = Number(values.scale ?? 1);
const REPOS = Number(values.repos ?? 2);
/** Deliveries per run at each concurrency (one run of each server per round). */
const LEVELS = [
  { concurrency: 1, deliveries: Math.round(150 * SCALE) },
  { concurrency: 10, deliveries: Math.round(200 * SCALE) },
  { concurrency: 50, deliveries: Math.round(300 * SCALE) },
];
const WARM_UP = Math.round(200 * SCALE);
const SECRET = 'bench-webhook-secret';
const APP_ID = 4242;
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'changeproof-bench-profile-')) : null;

/** Forks a sibling TypeScript file, with a CPU profile when `--profile` names its role. */
function startChild(name: string, role: string, file: string, env: Record<string, string> = {}): Child {
  return Child.start(name, role, file, env, profileDir && values.profile === role ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
}

interface Delivery {
  event: string;
  body: Buffer;
  signature: string;
  label: string;
}

interface Run {
  /** Deliveries finished per second (recorded in the ledger, check run published). */
  perSecond: number;
  /** Deliveries acknowledged per second: the intake GitHub sees (the bare app answers after its no-op handler). */
  ackPerSecond: number;
  p50: number;
  p99: number;
  /** p99 without the run's opening burst (its first `concurrency` deliveries, all sent at the same instant). */
  p99Steady: number;
  /** CPU ms per delivery of the server under test, */
  serverCpuMs: number;
  /** of which in the kernel (sockets, SQLite writes and fsyncs). */
  serverSystemMs: number;
  driverCpuMs: number;
  simulatorCpuMs: number;
  /** Per GitHub request of the app: ms inside Octokit's request pipeline, and of that in `fetch` (wire + simulator). */
  inOctokitMs: number;
  fetchMs: number;
  requests: Record<string, number>;
  deliveryIds: string[];
  failures: number;
}

const sim = startChild('simulator', 'simulator', './webhooks-simulator.ts', { BENCH_REPOS: String(REPOS) });
const { apiUrl, payloads } = (await sim.ready) as { apiUrl: string; payloads: BenchPayload[] };
const deliveries: Delivery[] = payloads.map((p) => ({ event: p.event, label: p.label, body: Buffer.from(p.body), signature: `sha256=${createHmac('sha256', SECRET).update(p.body).digest('hex')}` }));
const serverEnv = { BENCH_API_URL: apiUrl, BENCH_PRIVATE_KEY: PRIVATE_KEY, BENCH_WEBHOOK_SECRET: SECRET, BENCH_APP_ID: String(APP_ID) };
const app = startChild('app', 'app', './webhooks-server.ts', serverEnv);
const bare = startChild('bare Probot', 'bare', './webhooks-server.ts', serverEnv);
const ports = { app: ((await app.ready) as { port: number }).port, bare: ((await bare.ready) as { port: number }).port };

/** One pool of kept-alive connections per server, up for the whole bench (opened by the warm-up). */
const MAX_CONCURRENCY = Math.max(...LEVELS.map((l) => l.concurrency));
const agents = { app: new Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY }), bare: new Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY }) };

/** Posts `count` deliveries from the pool (starting at `offset`), `concurrency` at a time. */
async function drive(kind: 'app' | 'bare', offset: number, count: number, concurrency: number): Promise<{ latencies: Float64Array; deliveryIds: string[]; failures: number }> {
  const agent = agents[kind];
  const port = ports[kind];
  const latencies = new Float64Array(count);
  const deliveryIds: string[] = [];
  let sent = 0;
  let failures = 0;
  const post = (d: Delivery, deliveryId: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/github/webhooks', agent, headers: {
        'content-type': 'application/json', 'content-length': d.body.length, 'user-agent': 'GitHub-Hookshot/bench',
        'x-github-event': d.event, 'x-github-delivery': deliveryId, 'x-hub-signature-256': d.signature,
      } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(d.body);
    });
  const client = async () => {
    while (sent < count) {
      const i = sent++;
      const d = deliveries[(offset + i) % deliveries.length]!;
      const deliveryId = randomUUID();
      deliveryIds.push(deliveryId);
      const start = performance.now();
      const status = await post(d, deliveryId);
      latencies[i] = performance.now() - start;
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { latencies, deliveryIds, failures };
}

async function run(kind: 'app' | 'bare', offset: number, count: number, concurrency: number): Promise<Run> {
  const server = kind === 'app' ? app : bare;
  await server.ask({ type: 'cpu' });
  await sim.ask({ type: 'counts' });
  const driverCpu = process.cpuUsage();
  const start = performance.now();
  const { latencies, deliveryIds, failures } = await drive(kind, offset, count, concurrency);
  const ackMs = performance.now() - start;
  await server.ask({ type: 'settle' });
  const ms = performance.now() - start;
  const driverUsed = process.cpuUsage(driverCpu);
  const { cpuMs, systemMs, requests: timing } = await server.ask<{ cpuMs: number; systemMs: number; requests: { count?: number; inOctokitMs?: number; fetchMs?: number } }>({ type: 'cpu' });
  const timed = timing.count ? timing.count : Number.NaN;
  const { counts, cpuMs: simulatorCpuMs } = await sim.ask<{ counts: Record<string, number>; cpuMs: number }>({ type: 'counts' });
  const pct = (xs: Float64Array, p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  };
  return {
    perSecond: (count / ms) * 1000, ackPerSecond: (count / ackMs) * 1000, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), p99Steady: pct(latencies.subarray(concurrency), 0.99),
    serverCpuMs: cpuMs / count, serverSystemMs: systemMs / count, driverCpuMs: (driverUsed.user + driverUsed.system) / 1000 / count,
    simulatorCpuMs: simulatorCpuMs / count, inOctokitMs: (timing.inOctokitMs ?? 0) / timed, fetchMs: (timing.fetchMs ?? 0) / timed, requests: counts, deliveryIds, failures,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const status = (ok: boolean) => (ok ? 'target met' : 'missed');

const mix = new Map<string, number>();
for (const d of deliveries) mix.set(d.label, (mix.get(d.label) ?? 0) + 1);
console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at start ${loadavg()[0]!.toFixed(2)}`);
console.log(`${deliveries.length} distinct signed payloads, 200 pull requests in ${REPOS} repositories of one installation (${[...mix].map(([k, v]) => `${v} ${k}`).join(', ')}); every delivery has its own X-GitHub-Delivery`);
console.log(`Three processes share the ${cpus().length} cores: this load generator, the GitHub simulator, the server under test. Median of ${ROUNDS} rounds; app and bare Probot get the same deliveries, alternately.\n`);

// Warm-up: JIT, the connections, the installation token, the policy cache, a check run on most pull requests.
let offset = 0;
await run('bare', offset, WARM_UP, MAX_CONCURRENCY);
const warm = await run('app', offset, WARM_UP, MAX_CONCURRENCY);
if (warm.failures) throw new Error(`warm-up: ${warm.failures} deliveries were not acknowledged with 200`);
offset += WARM_UP;

interface Level {
  concurrency: number;
  deliveries: number;
  app: Run[];
  bare: Run[];
}
const levels: Level[] = [];
for (const { concurrency, deliveries: count } of LEVELS) {
  const level: Level = { concurrency, deliveries: count, app: [], bare: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate, so the machine's weather hits both alike; the same deliveries for both.
    level.bare.push(await run('bare', offset, count, concurrency));
    level.app.push(await run('app', offset, count, concurrency));
    offset += count;
  }
  for (const r of [...level.app, ...level.bare]) if (r.failures) throw new Error(`${r.failures} deliveries were not acknowledged with 200 at concurrency ${concurrency}`);
  const a = median(level.app.map((r) => r.perSecond));
  const b = median(level.bare.map((r) => r.perSecond));
  console.log(`concurrency ${String(concurrency).padStart(2)}: app ${fmt(a)}/s, bare Probot ${fmt(b)}/s (${(a / b).toFixed(2)}×); app ack p50/p99 ${fmt(median(level.app.map((r) => r.p50)), 1)}/${fmt(median(level.app.map((r) => r.p99)), 1)} ms; load average ${loadavg()[0]!.toFixed(2)}`);
  levels.push(level);
}

// Every acknowledged delivery must be recorded in the ledger, and the inbox empty.
const appIds = levels.flatMap((level) => level.app.flatMap((r) => r.deliveryIds));
const check = await app.ask<{ recorded: number; outcomes: Record<string, number>; pending: number }>({ type: 'verify', deliveryIds: appIds });

const rows = levels.map((level) => {
  const m = (pick: (r: Run) => number, runs = level.app) => median(runs.map(pick));
  const appRate = m((r) => r.perSecond);
  const bareRate = m((r) => r.perSecond, level.bare);
  const appIntake = m((r) => r.ackPerSecond);
  const bareIntake = m((r) => r.ackPerSecond, level.bare);
  const appCpu = m((r) => r.serverCpuMs);
  const simCpu = m((r) => r.simulatorCpuMs);
  const driverCpu = m((r) => r.driverCpuMs);
  return {
    concurrency: level.concurrency, deliveries: level.deliveries, app: appRate, bare: bareRate, ratio: appRate / bareRate,
    appIntake, bareIntake, intakeRatio: appIntake / bareIntake,
    p50: m((r) => r.p50), p99: m((r) => r.p99), p99Steady: m((r) => r.p99Steady),
    bareP50: m((r) => r.p50, level.bare), bareP99: m((r) => r.p99, level.bare), bareP99Steady: m((r) => r.p99Steady, level.bare),
    appCpu, appSystem: m((r) => r.serverSystemMs), bareCpu: m((r) => r.serverCpuMs, level.bare), simCpu, driverCpu,
    inOctokit: m((r) => r.inOctokitMs), fetch: m((r) => r.fetchMs),
    /** Cores our three processes kept busy during the app runs. */
    busyCores: ((appCpu + simCpu + driverCpu) * appRate) / 1000,
  };
});

console.log('\nIntake: deliveries acknowledged per second (durably accepted; the worker evaluating meanwhile on the same cores), median of rounds');
console.log('| concurrency | Changeproof acknowledged /s | bare Probot /s | ratio | target ≥ 0.5× |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.concurrency} | ${fmt(r.appIntake)} | ${fmt(r.bareIntake)} | ${r.intakeRatio.toFixed(2)}× | ${status(r.intakeRatio >= 0.5)} |`);

console.log('\nThroughput (deliveries/s until the work is done) and acknowledgement latency, median of rounds');
console.log('| concurrency | deliveries/run | Changeproof /s | bare Probot /s | ratio | target ≥ 0.5× | app ack p50 | app ack p99 (after the opening burst) | bare ack p50 | bare ack p99 (after the opening burst) | p99 target |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const p99Target = r.concurrency === 50 ? `≤ 100 ms: ${status(r.p99 <= 100)}` : '—';
  console.log(`| ${r.concurrency} | ${r.deliveries} | ${fmt(r.app)} | ${fmt(r.bare)} | ${r.ratio.toFixed(2)}× | ${status(r.ratio >= 0.5)} | ${fmt(r.p50, 1)} ms | ${fmt(r.p99, 1)} ms (${fmt(r.p99Steady, 1)} ms) | ${fmt(r.bareP50, 1)} ms | ${fmt(r.bareP99, 1)} ms (${fmt(r.bareP99Steady, 1)} ms) | ${p99Target} |`);
}
console.log('Each run starts with `concurrency` deliveries sent at the same instant; they finish together, so that burst sets p99 at 50. The figure in brackets leaves it out; the target is judged on all deliveries.');

console.log(`\nCPU per delivery (ms), by process, median of rounds (${cpus().length} cores shared by all three, and by whatever else runs on the machine)`);
console.log('| concurrency | Changeproof app (of which kernel) | GitHub simulator, serving the app | load generator | cores busy in app runs | bare Probot |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.concurrency} | ${fmt(r.appCpu, 2)} (${fmt(r.appSystem, 2)}) | ${fmt(r.simCpu, 2)} | ${fmt(r.driverCpu, 2)} | ${r.busyCores.toFixed(2)} | ${fmt(r.bareCpu, 2)} |`);

console.log('\nThe app\'s GitHub requests: time per request (median of rounds), from the outermost request hook and from `fetch`');
console.log('| concurrency | inside Octokit | in fetch (loopback + simulator, to the response headers) | the rest: auth, retry and throttling plugins |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.concurrency} | ${fmt(r.inOctokit, 1)} ms | ${fmt(r.fetch, 1)} ms | ${fmt(r.inOctokit - r.fetch, 1)} ms |`);

// API cost: the requests of every measured app run, per evaluation.
const totals = new Map<string, number>();
for (const level of levels) for (const r of level.app) for (const [route, n] of Object.entries(r.requests)) totals.set(route, (totals.get(route) ?? 0) + n);
const evaluations = appIds.length;
const isRead = (route: string) => route.startsWith('GET ') || route === 'POST /graphql';
const reads = sum([...totals].filter(([route]) => isRead(route)).map(([, n]) => n));
const writes = sum([...totals].filter(([route]) => !isRead(route)).map(([, n]) => n));
const perEvaluation = (reads + writes) / evaluations;
console.log(`\nGitHub API requests per evaluation (${fmt(evaluations)} evaluations, every measured app run; the installation token was fetched in the warm-up)`);
console.log('| route | requests | per evaluation |');
console.log('|---|---|---|');
for (const [route, n] of [...totals].sort((x, y) => y[1] - x[1])) console.log(`| \`${route}\` | ${fmt(n)} | ${(n / evaluations).toFixed(3)} |`);
console.log(`| reads (GraphQL + REST GET) | ${fmt(reads)} | ${(reads / evaluations).toFixed(3)} (floor 1) |`);
console.log(`| writes | ${fmt(writes)} | ${(writes / evaluations).toFixed(3)} (floor 1) |`);
console.log(`| total | ${fmt(reads + writes)} | ${perEvaluation.toFixed(3)} vs floor 2: ${(perEvaluation / 2).toFixed(2)}× |`);

const outcomes = Object.entries(check.outcomes).map(([k, v]) => `${fmt(v)} ${k}`).join(', ');
console.log(`\nLedger: ${fmt(check.recorded)} of ${fmt(appIds.length)} measured deliveries recorded as evaluations (${outcomes}); inbox pending: ${check.pending}`);
const simPerRequest = median(rows.map((r) => r.simCpu)) / perEvaluation;
const ceiling = 1000 / median(rows.map((r) => r.simCpu));
console.log(`The simulator spends ${fmt(median(rows.map((r) => r.simCpu)), 2)} ms of CPU per evaluation (${fmt(simPerRequest, 2)} ms per request; GraphQL is executed with graphql-js against GitHub's full schema),`);
console.log(`${rows.map((r) => `${fmt((r.simCpu / (r.simCpu + r.appCpu)) * 100)} %`).join(' / ')} of the CPU spent on an app delivery (by concurrency): alone it could serve at most ${fmt(ceiling)} evaluations/s per core.`);
console.log(`\nIntake target (≥ 0.5× bare Probot): ${rows.map((r) => `c=${r.concurrency} ${status(r.intakeRatio >= 0.5)}`).join(', ')}`);
console.log(`Evaluations finished (≥ 0.5× bare Probot, which does no work): ${rows.map((r) => `c=${r.concurrency} ${status(r.ratio >= 0.5)}`).join(', ')}`);
const at50 = rows.find((r) => r.concurrency === 50)!;
console.log(`Latency target (app ack p99 ≤ 100 ms at concurrency 50): ${status(at50.p99 <= 100)} (${fmt(at50.p99, 1)} ms; ${fmt(at50.p99Steady, 1)} ms after the opening burst; bare Probot ${fmt(at50.bareP99, 1)} ms)`);
if (profileDir) console.log(`CPU profile of ${values.profile}: ${profileDir}`);
if (check.recorded !== appIds.length || check.pending !== 0) {
  console.error('Not every acknowledged delivery was recorded: the throughput figures above are not valid.');
  process.exitCode = 1;
}

agents.app.destroy();
agents.bare.destroy();
await Promise.all([app.ask({ type: 'close' }), bare.ask({ type: 'close' })]);
await sim.ask({ type: 'close' });
