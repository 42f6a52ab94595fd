/**
 * `npm run demo`: Changeproof end to end without a GitHub account.
 *
 * Starts the GitHub simulator and the real app (Probot's server, signed
 * webhooks over HTTP, the SQLite ledger on disk), replays March 2026 for
 * acme/api and acme/web — about 200 pull requests by eight people, with the
 * usual mistakes, an emergency change, a direct push and deployments held by
 * the deployment gate — then exports the auditor package for the month and
 * verifies the ledger and the export.
 *
 * Output: demo-output/ (or $CHANGEPROOF_DEMO_DIR). $CHANGEPROOF_DEMO_PRS sets
 * the number of pull requests (default 200).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { evidencePath } from '../src/export/model.js';
import { acmeScenario, INSTALLATION_ID, startApp, type RunningApp } from '../test/support/app-harness.js';
import { ScenarioBuilder } from '../test/support/scenario.js';
import { startGitHubSimulator, type GitHubSimulator } from '../test/support/simulator/server.js';
import { installationPayload } from '../test/support/webhooks.js';
import { changeproofJson } from './demo/cli.js';
import { ledgerStats, type LedgerStats } from './demo/ledger-stats.js';
import { MONTH, planMonth, TEAM, type RepoName } from './demo/plan.js';
import { Replay, type ReplayCounts, type WeekProgress } from './demo/replay.js';

const SEED = 'demo-2026-03';
const MARKER = '.changeproof-demo';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const API_POLICY = `# Change control for acme/api (SOC 2 CC8.1)
peer_review:
  required_approvals: 1
checks:
  required: [build, test]
change_request:
  ticket_pattern: 'API-\\d+'
`;

interface ExportJson {
  out: string;
  population: number;
  changes: number;
  directPushes: number;
  deployments: number;
  compliant: number;
  categories: { changesCompliant: number; changesNotCompliant: number; directPushes: number; deploymentsApproved: number; deploymentsRejected: number; deploymentsUngated: number };
  sample: number;
  seed: string | null;
  method: string;
  exceptions: number;
  openExceptions: number;
  completeness: { commitsChecked: number; pullRequestsChecked: number; gaps: number; failures: { repo: string; reason: string }[] } | null;
  ledger: { entries: number; head: string; keyId: string };
  ids: string[];
}

interface VerifyJson {
  ok: boolean;
  entries: number;
  checkpoints: number;
  headHash: string;
  keyId: string;
  failure: { seq: number; reason: string; message: string } | null;
  error?: string;
}

interface VerifyExportJson {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; file?: string }[];
  keyId: string | null;
  populationSize: number | null;
  sampleSize: number | null;
}

const n = (value: number) => value.toLocaleString('en-US');
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;
const say = (line = '') => process.stdout.write(`${line}\n`);

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function pullRequestCount(): number {
  const raw = process.env['CHANGEPROOF_DEMO_PRS'];
  if (raw === undefined || raw === '') return 200;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 10 || count > 400) throw new Error(`CHANGEPROOF_DEMO_PRS must be a whole number from 10 to 400, not "${raw}"`);
  return count;
}

/** Empties the output folder, refusing to delete a folder the demo did not create. */
function prepareOutput(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
    if (readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
      throw new Error(`${dir} is not empty and was not written by the demo; refusing to delete it`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'Written by `npm run demo`; deleted and rewritten on every run.\n');
}

/** Acme's GitHub at the end of February: two repositories, eight people, Changeproof installed on the organisation. */
function buildScenario(): Record<RepoName, ScenarioBuilder> {
  const api = acmeScenario({ start: '2026-02-27T09:00:00Z' });
  for (const login of TEAM) api.user(login);
  api.bot('github-actions');
  api.file('.github/changeproof.yml', API_POLICY, { author: 'carol' });
  // A second builder over the same world: each builder acts on its own repository.
  const web = new ScenarioBuilder(api.world).repo('acme/web', {
    files: { 'package.json': '{ "name": "@acme/web", "private": true }\n', 'src/index.tsx': 'export {};\n' },
  });
  return { 'acme/api': api, 'acme/web': web };
}

async function main(): Promise<number> {
  const started = performance.now();
  const out = resolve(process.env['CHANGEPROOF_DEMO_DIR'] || join(ROOT, 'demo-output'));
  const pullRequests = pullRequestCount();
  const ledgerPath = join(out, 'ledger.db');
  const exportDir = join(out, 'export-2026-03');
  const keyPath = join(out, 'public-key.pem');
  prepareOutput(out);

  say('Changeproof demo: a month of change control, replayed end to end');
  say(`  March 2026 · acme/api and acme/web · ${TEAM.length} people · ${pullRequests} pull requests · seed ${SEED}`);
  say('  The real app (Probot server, signed webhooks over HTTP, SQLite ledger) against a simulated GitHub.');
  say();

  const builders = buildScenario();
  const world = builders['acme/api'].world;
  // The repositories were set up in February; the app is installed on Feb 28 and sees everything from then on.
  world.tick(Math.ceil((Date.parse('2026-02-28T10:00:00Z') - Date.parse(world.now())) / 60_000));

  let sim: GitHubSimulator | null = null;
  let app: RunningApp | null = null;
  try {
    sim = await startGitHubSimulator(world);
    const simulator = sim;
    app = await startApp(sim, { clock: () => new Date(Date.parse(simulator.world.now()) + 60_000), ledgerOnClock: true, ledgerPath });
    // The installation: the ledger covers both repositories from here on, so all of March.
    await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api', 'acme/web'], INSTALLATION_ID));
    world.tick(Math.ceil((Date.parse('2026-03-01T08:00:00Z') - Date.parse(world.now())) / 60_000));
    // The key an auditor would obtain from the app itself, to verify with.
    const published = await fetch(`${app.url}/api/changeproof/public-key`);
    if (!published.ok) throw new Error(`GET /api/changeproof/public-key answered ${published.status}`);
    writeFileSync(keyPath, await published.text());

    say('Replaying March 2026 (one line per week):');
    const replay = new Replay(sim, app, builders, INSTALLATION_ID, SEED);
    await replay.run(planMonth({ pullRequests, seed: SEED }), (w) => say(weekLine(w)));
    const replayed = performance.now();
    const stats = ledgerStats(await app.entries());
    await app.close(); // signs a final checkpoint
    app = null;

    say();
    say('Exporting the auditor package for March and verifying it…');
    const exported = await changeproofJson<ExportJson>([
      'export', '--ledger', ledgerPath, '--from', MONTH.from, '--to', MONTH.to, '--repo', 'acme/api', '--repo', 'acme/web',
      '--seed', SEED, '--strata', 'month', '--out', exportDir,
    ], { GITHUB_TOKEN: 'test-token', ...sim.env });
    if (exported.code !== 0 || !exported.result) throw new Error(`changeproof export failed (exit ${exported.code}): ${exported.err}`);
    const exportedAt = performance.now();
    const ledger = await changeproofJson<VerifyJson>(['verify', '--ledger', ledgerPath, '--public-key', keyPath, '--require-final-checkpoint']);
    const exportCheck = await changeproofJson<VerifyExportJson>(['verify-export', exportDir, '--public-key', keyPath]);

    const ok = ledger.code === 0 && !!ledger.result?.ok && exportCheck.code === 0 && !!exportCheck.result?.ok && exported.result.completeness?.gaps === 0
      && exported.result.completeness.failures.length === 0;
    say();
    printSummary({ counts: replay.counts, stats, exported: exported.result, ledger, exportCheck, ledgerPath, exportDir, keyPath });
    say();
    const seconds = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)} s`;
    const now = performance.now();
    // performance.now() counts from the start of the process.
    say(`${ok ? 'Done' : 'FAILED'} in ${seconds(0, now)} (start-up ${seconds(0, started)}, replay ${seconds(started, replayed)}, export ${seconds(replayed, exportedAt)}, verification ${seconds(exportedAt, now)}).`);
    return ok ? 0 : 1;
  } finally {
    await app?.close();
    await sim?.close();
  }
}

function weekLine(w: WeekProgress): string {
  const from = new Date(`${w.week}T00:00:00Z`);
  const to = new Date(`${w.lastDay}T00:00:00Z`);
  const month = (d: Date) => d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const span = `${month(from)} ${from.getUTCDate()}–${month(from) === month(to) ? '' : `${month(to)} `}${to.getUTCDate()}`;
  const deployments = `${w.deployments ? `${plural(w.deployments, 'deployment')} (${n(w.approved)} approved)` : 'no deployments'},`;
  return `  ${span.padEnd(10)} ${`${plural(w.pullRequests, 'pull request')} merged,`.padEnd(25)} ${deployments.padEnd(28)} ${plural(w.webhooks, 'webhook')}`;
}

const EXCEPTION_WORDS: Record<string, string> = {
  merged_without_passing_control: 'merged without passing the control',
  emergency_change: 'emergency change',
  direct_push: 'direct push',
};
const exceptionOrder = (type: string) => {
  const at = Object.keys(EXCEPTION_WORDS).indexOf(type);
  return at < 0 ? Number.MAX_SAFE_INTEGER : at;
};

function printSummary(r: {
  counts: ReplayCounts;
  stats: LedgerStats;
  exported: ExportJson;
  ledger: { code: number; result: VerifyJson | null; err: string };
  exportCheck: { code: number; result: VerifyExportJson | null; err: string };
  ledgerPath: string;
  exportDir: string;
  keyPath: string;
}): void {
  const { counts, stats, exported } = r;
  const row = (label: string, value: string) => say(`  ${label.padEnd(21)}${value}`);
  const kinds = (byKind: Record<string, number>) => Object.entries(byKind).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  const totalPrs = counts.pullRequests['acme/api'] + counts.pullRequests['acme/web'];

  say('Summary');
  row('Webhooks delivered', `${n(counts.webhooks)} (${kinds(counts.webhooksByEvent)})`);
  row('Pull requests', `${n(totalPrs)} merged (acme/api ${n(counts.pullRequests['acme/api'])}, acme/web ${n(counts.pullRequests['acme/web'])}); ${plural(counts.directPushes, 'direct push', 'direct pushes')}`);
  // The app signed one more checkpoint on closing: the verifier's counts include it.
  const byKind = { ...stats.byKind, ...(r.ledger.result?.ok ? { checkpoint: r.ledger.result.checkpoints } : {}) };
  row('Ledger entries', `${n(r.ledger.result?.ok ? r.ledger.result.entries : stats.entries)} (${kinds(byKind)})`);
  row('Evaluations', `${n(stats.byKind['evaluation'] ?? 0)} while open: ${kinds(stats.evaluations).replaceAll('non_compliant', 'non-compliant')}`);
  const c = stats.changes;
  row('Verdicts at merge', `${n(c['compliant'] ?? 0)} compliant, ${n(c['non_compliant'] ?? 0)} non-compliant, ${n(c['emergency'] ?? 0)} emergency${c['pending'] || c['error'] ? `, ${n((c['pending'] ?? 0) + (c['error'] ?? 0))} pending or error` : ''}`);
  const exceptionTotal = Object.values(stats.exceptions).reduce((sum, byState) => sum + Object.values(byState).reduce((a, b) => a + b, 0), 0);
  const exceptionParts = Object.entries(stats.exceptions).sort(([a], [b]) => exceptionOrder(a) - exceptionOrder(b)).map(([type, byState]) => {
    const total = Object.values(byState).reduce((a, b) => a + b, 0);
    const states = Object.entries(byState).map(([state, count]) => `${count === total ? '' : `${count} `}${state.replace('_', ' ')}`).join(', ');
    return `${n(total)} ${EXCEPTION_WORDS[type] ?? type} (${states})`;
  });
  row('Exceptions', `${n(exceptionTotal)}: ${exceptionParts.join('; ')}`);
  const rejected = counts.deployments.filter((d) => d.state === 'rejected');
  row('Deployments', `${n(counts.deployments.length)} to production: ${n(counts.deployments.length - rejected.length)} approved, ${n(rejected.length)} rejected by the gate`);
  for (const d of rejected) {
    const offending = d.comment.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
    say(`  ${''.padEnd(21)}✗ ${d.repo} on ${d.at.slice(0, 10)}: ${offending.join('; ')}`);
  }
  const k = exported.categories;
  row('Population', `${n(exported.population)}: ${plural(exported.changes, 'change')} (${n(k.changesCompliant)} compliant at merge or emergencies approved in time, ${n(k.changesNotCompliant)} not), `
    + `${plural(exported.directPushes, 'direct push', 'direct pushes')}, ${plural(exported.deployments, 'gated deployment')} (${n(k.deploymentsApproved)} approved, ${n(k.deploymentsRejected)} rejected by the gate${k.deploymentsUngated ? `, ${n(k.deploymentsUngated)} without it` : ''})`);
  row('Sample', `${n(exported.sample)} (${exported.method}, seed ${exported.seed ?? 'none'}), each with an evidence page`);
  const comp = exported.completeness;
  row('Completeness', comp
    ? `${n(comp.commitsChecked)} commits and ${n(comp.pullRequestsChecked)} merged pull requests on GitHub checked against the ledger: ${plural(comp.gaps, 'gap')}${comp.failures.length ? `; NOT established for ${comp.failures.map((f) => f.repo).join(', ')}` : ''}`
    : 'not reconciled with GitHub');
  const lv = r.ledger.result;
  row('Ledger verified', lv?.ok
    ? `intact: ${plural(lv.entries, 'entry', 'entries')} chained, ${plural(lv.checkpoints, 'signed checkpoint')} (key ${lv.keyId.slice(0, 16)}…)`
    : `NOT intact: ${lv?.failure ? `first bad seq ${lv.failure.seq}: ${lv.failure.message}` : lv?.error ?? r.ledger.err}`);
  const ev = r.exportCheck.result;
  row('Export verified', ev?.ok
    ? `intact: ${plural(ev.checks.length, 'check')} passed (signature, file hashes, sample re-drawn from its seed)`
    : `NOT intact: ${ev ? ev.checks.filter((x) => !x.ok).map((x) => `${x.name}: ${x.detail}`).join('; ') : r.exportCheck.err}`);

  say();
  say('Open');
  const shown = sampledItemToShow(r.exportDir);
  const files: Array<[string, string]> = [
    [join(r.exportDir, 'report.html'), 'the auditor report: counts, compliance per month, exceptions, method'],
    ...(shown ? [[join(r.exportDir, evidencePath(shown.id)), `the evidence page of ${shown.id} (${shown.why}), one of the sample`] as [string, string]] : []),
    [join(r.exportDir, 'sample.xlsx'), 'the sample with tick-mark columns (also population, exceptions)'],
    [r.ledgerPath, `the ledger; check it: npx changeproof verify --ledger ${show(r.ledgerPath)} --public-key ${show(r.keyPath)}`],
  ];
  const width = Math.max(...files.map(([path]) => show(path).length));
  for (const [path, what] of files) say(`  ${show(path).padEnd(width)}  ${what}`);
}

/** A sampled change to point at: one with an exception if the sample drew one, else the first. */
function sampledItemToShow(exportDir: string): { id: string; why: string } | null {
  const rows = parse(readFileSync(join(exportDir, 'sample.csv')), { columns: true }) as Array<Record<string, string>>;
  const changes = rows.filter((row) => row['kind'] === 'change');
  const withException = changes.find((row) => row['exceptions']);
  const row = withException ?? changes[0] ?? rows[0];
  if (!row?.['id']) return null;
  const why = withException ? withException['exceptions']!.split(':')[0]!.replaceAll('_', ' ') : (row['verdict'] ?? '').replaceAll('_', ' ');
  return { id: row['id'], why };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
