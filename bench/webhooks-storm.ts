// Webhook storm benchmark: `npm run bench:webhooks -- --storm` (bench/webhooks.ts
// hands `--storm` to this module).
//
// Pull requests whose CI finishes all at once: each head has N check runs of a CI
// app (10, then 30) that are queued or in progress when the storm starts; within
// 2 s each completes (success; in one pull request of ten one check fails) and
// 1–2 approvals by non-authors are submitted, at seeded random times (the CI
// app's suite completes with its last run: `check_suite` completed), the pull
// requests' windows staggered over 2 s. For each event the simulator's state is
// changed first (the check run completes, the review exists), then the signed
// webhook (`check_run` completed, `pull_request_review` submitted, payloads from
// `@octokit/webhooks-examples`) is posted to the app. Every pull request was opened
// and evaluated before the storm, so the storm measures re-evaluations.
//
// The same storm (same seed) runs twice per scenario, each time against fresh
// simulator and server processes: the app with its defaults (deliveries about a
// pull request coalesced into one evaluation, unchanged check runs not written),
// and the app with `{ coalesceMs: 0, skipUnchangedCheckRuns: false }`. It prints,
// per pull request and storm: evaluations (ledger), GraphQL queries and points
// (the `rateLimit { cost }` the simulator answered), check-run writes, against
// the floor of one evaluation and one write per final state; the time from a pull
// request's last delivery to its final check run; and whether both runs reached
// the same final verdicts (exit code 1 if not).
//
// Options: --scale X (pull requests × X, default 40), --repos N (default 4),
// --checks 10,30 (scenarios), --seed N, --window MS (default 2000), --skip-only
// (a third run per scenario: `{ coalesceMs: 0 }`, unchanged check runs still not
// written, to show what skipping saves without coalescing), --no-suites (no
// `check_suite` `completed` after each pull request's last check run).
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { seeded } from '../test/reliability/support/random.js';
import { Child } from './ipc-child.js';
import type { CapturedRequest, StormEvaluation } from './webhooks-storm-server.js';
import { STORM_USERS, type StormPull } from './webhooks-storm-simulator.js';

const CHECK_RUN_NAME = 'Change control (CC8.1)';
const SECRET = 'bench-webhook-secret';
const APP_ID = 4242;
const INSTALLATION_ID = 77;

interface Options {
  pulls: number;
  repos: number;
  checks: number[];
  seed: number;
  windowMs: number;
  staggerMs: number;
  /** Whether `check_suite` `completed` follows each pull request's last check run. */
  suites: boolean;
}



/** One webhook of the storm: what changes on GitHub first, and when (ms after the storm starts). */
type StormEvent = { at: number; pull: number } & ({ kind: 'check'; runId: number; conclusion: 'success' | 'failure' } | { kind: 'review'; reviewer: string } | { kind: 'suite' });

/** The storm's events, from the seed alone (the same in both runs of a scenario). */
function plan(pulls: StormPull[], options: Options, checks: number): StormEvent[] {
  const random = seeded(options.seed * 1_000 + checks).next;
  const events: StormEvent[] = [];
  pulls.forEach((pull, i) => {
    const start = (i / pulls.length) * options.staggerMs;
    const failing = i % 10 === 3 ? Math.floor(random() * pull.checkRunIds.length) : -1;
    let last = 0;
    pull.checkRunIds.forEach((runId, c) => {
      const at = start + random() * options.windowMs;
      last = Math.max(last, at);
      events.push({ at, pull: i, kind: 'check', runId, conclusion: c === failing ? 'failure' : 'success' });
    });
    // The CI app's suite completes with its last run (sent after it).
    if (options.suites) events.push({ at: last + 0.001, pull: i, kind: 'suite' });
    const others = STORM_USERS.filter((u) => u !== pull.author);
    const reviews = 1 + Math.floor(random() * 2);
    for (let r = 0; r < reviews; r++) {
      const reviewer = others.splice(Math.floor(random() * others.length), 1)[0]!;
      events.push({ at: start + random() * options.windowMs, pull: i, kind: 'review', reviewer });
    }
  });
  return events.sort((a, b) => a.at - b.at);
}

/** What one storm run measured, per pull request (index as in `pulls`). */
interface PullResult {
  key: string;
  deliveries: number;
  evaluations: number;
  graphql: number;
  points: number;
  writes: number;
  /** The last delivery's acknowledgement, and the last check-run write and evaluation (ms since the epoch). */
  lastDeliveryAt: number;
  lastWriteAt: number | null;
  lastEvaluationAt: number | null;
  finalConclusion: string;
  finalOutcome: string;
  /** Our check runs on the head at the end (more than one: a verdict that was final, then not). */
  checkRuns: number;
}

interface RunResult {
  label: string;
  pulls: PullResult[];
  /** GraphQL queries and points that name no pull request (spread evenly in the per-PR figures). */
  unattributedGraphql: number;
  unattributedPoints: number;
  /** Other GitHub requests of the app during the storm, by method and path shape. */
  otherRequests: Record<string, number>;
  /** The simulator's own count of requests during the storm (cross-check of the app-side attribution). */
  simulatorCounts: Record<string, number>;
  deliveries: number;
  pendingAfterSettle: number;
  stormMs: number;
  settleMs: number;
  wallMs: number;
  /** Pre-storm: points of one pull-request evaluation query (the floor's). */
  openPointsPerQuery: number;
  failures: number;
}

async function runStorm(options: Options, checks: number, label: string, settings: Record<string, unknown>, privateKey: string): Promise<RunResult> {
  const started = performance.now();
  const sim = Child.start('simulator', 'simulator', './webhooks-simulator.ts', {
    BENCH_STORM: JSON.stringify({ pulls: options.pulls, repos: options.repos, checks, appId: APP_ID, installationId: INSTALLATION_ID }),
  });
  const { apiUrl, pulls } = (await sim.ready) as { apiUrl: string; pulls: StormPull[] };
  const app = Child.start('app', 'app', './webhooks-server.ts', {
    BENCH_API_URL: apiUrl, BENCH_PRIVATE_KEY: privateKey, BENCH_WEBHOOK_SECRET: SECRET, BENCH_APP_ID: String(APP_ID),
    BENCH_SETTINGS: JSON.stringify(settings), BENCH_CAPTURE: '1',
  });
  const { port } = (await app.ready) as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let failures = 0;
  const post = (event: string, body: string) =>
    new Promise<{ status: number; deliveryId: string }>((resolve, reject) => {
      const deliveryId = randomUUID();
      const bytes = Buffer.from(body);
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/github/webhooks', agent, headers: {
        'content-type': 'application/json', 'content-length': bytes.length, 'user-agent': 'GitHub-Hookshot/bench',
        'x-github-event': event, 'x-github-delivery': deliveryId, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(bytes).digest('hex')}`,
      } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) failures += 1;
          resolve({ status: res.statusCode ?? 0, deliveryId });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(bytes);
    });

  // Before the storm: every pull request opened and evaluated (its check run created).
  for (let i = 0; i < pulls.length; i += 10) await Promise.all(pulls.slice(i, i + 10).map((p) => post('pull_request', p.openedBody)));
  // Quiet for longer than a coalesced re-evaluation waits (its default wait is 1 s).
  const quietMs = Number(settings['coalesceMs'] ?? 1_000) + 1_000;
  await app.ask({ type: 'storm-settle', quietMs });
  const opened = await app.ask<{ evaluations: StormEvaluation[]; captured: CapturedRequest[] }>({ type: 'storm-report', fromSeq: 0, deliveryIds: [] });
  const evaluatedBefore = new Set(opened.evaluations.map((e) => `${e.repo}#${e.subject}`)).size;
  if (evaluatedBefore !== pulls.length) {
    console.error(`${label}: only ${evaluatedBefore} of ${pulls.length} pull requests were evaluated before the storm`);
    failures += 1;
  }
  const openQueries = opened.captured.filter((c) => c.kind === 'graphql' && c.number !== undefined && c.cost !== undefined);
  const openPointsPerQuery = openQueries.reduce((a, c) => a + c.cost!, 0) / Math.max(1, openQueries.length);
  const { seq: mark } = await app.ask<{ seq: number }>({ type: 'storm-mark' });
  await sim.ask({ type: 'counts' });

  // The storm.
  const events = plan(pulls, options, checks);
  const lastDeliveryAt = new Array<number>(pulls.length).fill(0);
  const deliveriesOf = new Array<number>(pulls.length).fill(0);
  const deliveryIds: string[] = [];
  const stormStart = performance.now();
  const inFlight: Promise<void>[] = [];
  for (const e of events) {
    const wait = stormStart + e.at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const pull = pulls[e.pull]!;
    inFlight.push((async () => {
      const { body } = e.kind === 'check'
        ? await sim.ask<{ body: string }>({ type: 'storm-check', repo: pull.repo, runId: e.runId, conclusion: e.conclusion })
        : e.kind === 'review'
          ? await sim.ask<{ body: string }>({ type: 'storm-review', repo: pull.repo, number: pull.number, reviewer: e.reviewer })
          : await sim.ask<{ body: string }>({ type: 'storm-suite', repo: pull.repo, suiteId: pull.suiteId });
      const { deliveryId } = await post(e.kind === 'check' ? 'check_run' : e.kind === 'review' ? 'pull_request_review' : 'check_suite', body);
      deliveryIds.push(deliveryId);
      deliveriesOf[e.pull]! += 1;
      lastDeliveryAt[e.pull] = Math.max(lastDeliveryAt[e.pull]!, Date.now());
    })());
  }
  await Promise.all(inFlight);
  const stormMs = performance.now() - stormStart;
  const settleStart = performance.now();
  await app.ask({ type: 'storm-settle', quietMs });
  const settleMs = performance.now() - settleStart - quietMs;
  const report = await app.ask<{ evaluations: StormEvaluation[]; captured: CapturedRequest[]; pending: number }>({ type: 'storm-report', fromSeq: mark, deliveryIds });
  const { state } = await sim.ask<{ state: Array<{ repo: string; number: number; head: string; ours: Array<{ id: number; status: string; conclusion: string | null }> }> }>({ type: 'storm-state', checkRunName: CHECK_RUN_NAME });
  const { counts } = await sim.ask<{ counts: Record<string, number> }>({ type: 'counts' });
  agent.destroy();
  await app.ask({ type: 'close' });
  await sim.ask({ type: 'close' });

  // Attribution: evaluations by ledger subject; queries by their owner/name/number; writes by head (POST) or run id (PATCH).
  const keyOf = (repo: string, number: number) => `${repo.toLowerCase()}#${number}`;
  const index = new Map(pulls.map((p, i) => [keyOf(p.repo, p.number), i]));
  const byHead = new Map(pulls.map((p, i) => [`${p.repo.toLowerCase()}@${p.head}`, i]));
  const byRun = new Map<number, number>();
  state.forEach((s) => s.ours.forEach((r) => byRun.set(r.id, index.get(keyOf(s.repo, s.number))!)));
  const results: PullResult[] = pulls.map((p, i) => ({
    key: keyOf(p.repo, p.number), deliveries: deliveriesOf[i]!, evaluations: 0, graphql: 0, points: 0, writes: 0, lastDeliveryAt: lastDeliveryAt[i]!,
    lastWriteAt: null, lastEvaluationAt: null, finalConclusion: 'none', finalOutcome: 'none', checkRuns: 0,
  }));
  for (const e of report.evaluations) {
    const i = index.get(`${e.repo}#${e.subject.replace(/^pull\//, '')}`);
    if (i === undefined) continue;
    const r = results[i]!;
    r.evaluations += 1;
    r.finalOutcome = e.outcome;
    r.lastEvaluationAt = Date.parse(e.recordedAt);
  }
  let unattributedGraphql = 0;
  let unattributedPoints = 0;
  const otherRequests: Record<string, number> = {};
  for (const c of report.captured) {
    if (c.kind === 'graphql') {
      const i = c.repo && c.number !== undefined ? index.get(keyOf(c.repo, c.number)) : undefined;
      if (i === undefined) {
        unattributedGraphql += 1;
        unattributedPoints += c.cost ?? 0;
      } else {
        results[i]!.graphql += 1;
        results[i]!.points += c.cost ?? 0;
      }
    } else if (c.kind === 'check-run-write' && (c.method === 'PATCH' || c.name === CHECK_RUN_NAME)) {
      const i = c.headSha ? byHead.get(`${c.repo}@${c.headSha}`) : c.runId !== undefined ? byRun.get(c.runId) : undefined;
      if (i === undefined) {
        otherRequests[`${c.method} check-runs (unattributed)`] = (otherRequests[`${c.method} check-runs (unattributed)`] ?? 0) + 1;
        continue;
      }
      results[i]!.writes += 1;
      results[i]!.lastWriteAt = Math.max(results[i]!.lastWriteAt ?? 0, c.at);
    } else {
      const shape = `${c.method} ${c.path.replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}').replace(/\/[0-9a-f]{40}/g, '/{sha}').replace(/\/\d+/g, '/{id}')}`;
      otherRequests[shape] = (otherRequests[shape] ?? 0) + 1;
    }
  }
  for (const s of state) {
    const r = results[index.get(keyOf(s.repo, s.number))!]!;
    const latest = s.ours.at(-1);
    r.finalConclusion = latest ? (latest.status === 'completed' ? String(latest.conclusion) : latest.status) : 'none';
    r.checkRuns = s.ours.length;
  }
  return {
    label, pulls: results, unattributedGraphql, unattributedPoints, otherRequests, simulatorCounts: counts, deliveries: deliveryIds.length,
    pendingAfterSettle: report.pending, stormMs, settleMs, wallMs: performance.now() - started, openPointsPerQuery, failures,
  };
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]! : Number.NaN;
};

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    storm: { type: 'boolean' }, 'skip-only': { type: 'boolean' }, 'no-suites': { type: 'boolean' }, scale: { type: 'string' }, repos: { type: 'string' }, checks: { type: 'string' }, seed: { type: 'string' }, window: { type: 'string' },
  } });
  const windowMs = Number(values.window ?? 2_000);
  const options: Options = {
    pulls: Math.max(1, Math.round(40 * Number(values.scale ?? 1))),
    repos: Number(values.repos ?? 4),
    checks: (values.checks ?? '10,30').split(',').map(Number),
    seed: Number(values.seed ?? 20_260_302),
    windowMs,
    staggerMs: windowMs,
    suites: !values['no-suites'],
  };
  options.repos = Math.min(options.repos, options.pulls);
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const began = performance.now();
  console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at start ${loadavg()[0]!.toFixed(2)}`);
  console.log(`Storm: ${options.pulls} pull requests in ${options.repos} repositories of one installation; per pull request its head's check runs complete${options.suites ? ' (then their suite)' : ''} and 1–2 approvals are submitted within ${options.windowMs} ms (seed ${options.seed}), windows staggered over ${options.staggerMs} ms; one pull request in ten has a failing check.`);
  console.log(`Each storm runs ${values['skip-only'] ? 'three times' : 'twice'} on fresh processes: the app with its defaults (coalescing, unchanged check runs not written), then with { coalesceMs: 0, skipUnchangedCheckRuns: false }${values['skip-only'] ? ', then with { coalesceMs: 0 }' : ''}.\n`);

  const modes: Array<{ label: string; settings: Record<string, unknown> }> = [
    { label: 'coalesced + skipping', settings: {} },
    { label: 'off', settings: { coalesceMs: 0, skipUnchangedCheckRuns: false } },
    ...(values['skip-only'] ? [{ label: 'skipping only', settings: { coalesceMs: 0 } }] : []),
  ];
  const scenarios: Array<{ checks: number; runs: RunResult[] }> = [];
  for (const checks of options.checks) {
    const runs: RunResult[] = [];
    for (const mode of modes) {
      const run = await runStorm(options, checks, mode.label, mode.settings, privateKey);
      console.log(`${checks} checks, ${run.label}: ${run.deliveries} deliveries in ${fmt(run.stormMs / 1000)} s, settled ${fmt(Math.max(0, run.settleMs) / 1000)} s later (run ${fmt(run.wallMs / 1000)} s with process start-up); load average ${loadavg()[0]!.toFixed(2)}`);
      runs.push(run);
    }
    scenarios.push({ checks, runs });
  }

  console.log('\nPer pull request and storm (re-evaluations only: the evaluation at `opened` is before the storm)');
  console.log('| scenario | app | deliveries | evaluations mean (max) | GraphQL queries | GraphQL points | check-run writes mean (max) | × floor (evaluations / writes) | target ≤ 2 evaluations | target ≤ 2 writes | last delivery → final check run p50 / p95 / max | last delivery → last evaluation p50 / max |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  let identicalAll = true;
  const verdictLines: string[] = [];
  for (const { checks, runs } of scenarios) {
    const on = runs[0]!;
    for (const run of runs) {
      const n = run.pulls.length;
      const evals = run.pulls.map((p) => p.evaluations);
      const writes = run.pulls.map((p) => p.writes);
      const queries = mean(run.pulls.map((p) => p.graphql)) + run.unattributedGraphql / n;
      const points = mean(run.pulls.map((p) => p.points)) + run.unattributedPoints / n;
      // A check run last written before the last delivery already showed the final verdict then: 0 ms.
      const toWrite = run.pulls.map((p) => Math.max(0, (p.lastWriteAt ?? p.lastDeliveryAt) - p.lastDeliveryAt));
      const toEval = run.pulls.map((p) => Math.max(0, (p.lastEvaluationAt ?? p.lastDeliveryAt) - p.lastDeliveryAt));
      const met = (xs: number[]) => (max(xs) <= 2 ? 'met' : `missed (${xs.filter((x) => x > 2).length} of ${n} over)`);
      console.log(`| ${checks} checks | ${run.label} | ${fmt(mean(run.pulls.map((p) => p.deliveries)))} | ${fmt(mean(evals), 2)} (${max(evals)}) | ${fmt(queries, 2)} | ${fmt(points, 2)} | ${fmt(mean(writes), 2)} (${max(writes)}) | ${fmt(mean(evals), 2)}× / ${fmt(mean(writes), 2)}× | ${met(evals)} | ${met(writes)} | ${fmt(pct(toWrite, 0.5), 0)} / ${fmt(pct(toWrite, 0.95), 0)} / ${fmt(max(toWrite), 0)} ms | ${fmt(pct(toEval, 0.5), 0)} / ${fmt(max(toEval), 0)} ms |`);
    }
    console.log(`| ${checks} checks | floor | — | 1 (1) | 1 | ${fmt(on.openPointsPerQuery, 2)} | 1 (1) | 1× / 1× | — | — | — | — |`);
    const outcomes = new Map<string, number>();
    for (const p of on.pulls) outcomes.set(`${p.finalOutcome} (check run ${p.finalConclusion})`, (outcomes.get(`${p.finalOutcome} (check run ${p.finalConclusion})`) ?? 0) + 1);
    for (const other of runs.slice(1)) {
      // Per pull request: the final check run's conclusion and the last evaluation's outcome, in both runs.
      let identical = 0;
      const differing: string[] = [];
      on.pulls.forEach((p, i) => {
        const q = other.pulls[i]!;
        if (p.finalConclusion === q.finalConclusion && p.finalOutcome === q.finalOutcome && p.finalConclusion !== 'none') identical += 1;
        else differing.push(`${p.key}: check run ${p.finalConclusion} / ${q.finalConclusion}, last evaluation ${p.finalOutcome} / ${q.finalOutcome}`);
      });
      if (identical !== on.pulls.length) identicalAll = false;
      verdictLines.push(`${checks} checks, ${on.label} vs ${other.label}: final verdicts identical: ${identical} of ${on.pulls.length} (${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')})${differing.length ? `; differing: ${differing.slice(0, 5).join('; ')}` : ''}`);
    }
  }
  console.log('');
  for (const line of verdictLines) console.log(line);

  console.log('\nAttribution and cross-checks');
  for (const { checks, runs } of scenarios) {
    for (const run of runs) {
      const attributedQueries = run.pulls.reduce((a, p) => a + p.graphql, 0);
      const attributedWrites = run.pulls.reduce((a, p) => a + p.writes, 0);
      const simWrites = (run.simulatorCounts['POST /repos/{owner}/{repo}/check-runs'] ?? 0) + (run.simulatorCounts['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}'] ?? 0);
      const extraRuns = run.pulls.filter((p) => p.checkRuns > 1).length;
      const writesOverEvals = run.pulls.filter((p) => p.writes > p.evaluations).length;
      const others = Object.entries(run.otherRequests).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      console.log(`- ${checks} checks, ${run.label}: GraphQL ${attributedQueries} attributed to a pull request + ${run.unattributedGraphql} not (simulator counted ${run.simulatorCounts['POST /graphql'] ?? 0}); check-run writes ${attributedWrites} attributed (simulator counted ${simWrites}); other app requests: ${others}; deliveries still pending after settle: ${run.pendingAfterSettle}; not acknowledged with 200: ${run.failures}; pull requests with more than one check run of ours on the head: ${extraRuns}; with more writes than evaluations: ${writesOverEvals}`);
    }
  }
  console.log(`\nTotal ${fmt((performance.now() - began) / 1000)} s.`);
  const failed = scenarios.some(({ runs }) => runs.some((r) => r.failures > 0 || r.pendingAfterSettle > 0));
  if (!identicalAll) console.error('Final verdicts differ between the two runs.');
  if (failed) console.error('Some deliveries were not acknowledged or not completed: the figures above are not valid.');
  if (!identicalAll || failed) process.exitCode = 1;
}
