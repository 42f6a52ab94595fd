// Export benchmark: `npm run bench:export` (builds lib/ first).
// A 12-month period in a ledger of 1,000,000 entries → the whole auditor
// package (`changeproof export`, compiled, in a child process), with its time
// and peak RSS printed next to the floor measured in the same run: reading the
// same rows (the population's change, exception and deployment entries) out of
// SQLite into a CSV file. Targets: ≤ 3× the floor's time, ≤ 512 MB peak RSS.
// Options: --entries N (default 1000000); the generated ledger is kept in
// bench/.cache/ and reused while N is the same.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPolicy } from '../src/config/parse-policy.js';
import { evaluate } from '../src/core/policy/evaluate.js';
import type { ChangeRecord, EvaluationRecord, ExceptionRecord, InstallationRecord, PushRecord, Trigger } from '../src/core/records.js';
import type { EntryInput } from '../src/ledger/ledger.js';
import { check, commit, merged, pullRequest, review } from '../test/core/facts-builder.js';

const lib = <T,>(path: string): Promise<T> => import(new URL(`../lib/${path}`, import.meta.url).href) as Promise<T>;
const { SqliteLedger } = await lib<typeof import('../src/ledger/sqlite-ledger.js')>('ledger/sqlite-ledger.js');

const { values } = parseArgs({ options: { entries: { type: 'string' } } });
const ENTRIES = Number(values.entries ?? 1_000_000);
const root = new URL('..', import.meta.url).pathname;
const cache = join(root, 'bench', '.cache');
const ledgerDir = join(cache, `export-v2-${ENTRIES}`);
const ledgerPath = join(ledgerDir, 'ledger.db');
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;
const REPOS = ['acme/payments-api', 'acme/web', 'acme/infra', 'acme/mobile'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

/**
 * A year of one organisation's activity, about 4.3 entries per merged pull
 * request: two evaluations (the evidence snapshot each time), the change
 * record, the push of the merge; 3% merged failing (an exception); a gated
 * deployment with its decision and status every 20 merges; a signed
 * checkpoint every 1,000 entries.
 */
async function generate(): Promise<void> {
  const partialDir = `${ledgerDir}.partial`;
  rmSync(partialDir, { recursive: true, force: true });
  mkdirSync(partialDir, { recursive: true });
  const partial = join(partialDir, 'ledger.db');
  let now = YEAR_START;
  const ledger = SqliteLedger.open(partial, { env: {}, synchronous: 'NORMAL', clock: () => new Date(now) });
  const policy = defaultPolicy();
  const perPull = 4.3;
  const pulls = Math.floor(ENTRIES / perPull);
  const step = YEAR_MS / pulls;
  const trigger = (event: string, action: string | null, i: number): Trigger => ({ event, action, deliveryId: `d-${event}-${i}`, sender: 'carol' });
  // Installed the day before the year: the ledger covers every repository for the whole period.
  now = YEAR_START - 86_400_000;
  const installed: InstallationRecord = {
    action: 'installation.created', installationId: 1, account: 'acme', repositoriesAdded: REPOS, repositoriesRemoved: [],
    trigger: { event: 'installation', action: 'created', deliveryId: 'd-installation', sender: 'carol' },
  };
  await ledger.append([{ kind: 'installation', repo: null, subject: 'installation/1', data: installed }]);
  let written = 1;
  let batch: EntryInput[] = [];
  const started = performance.now();
  for (let i = 0; written + batch.length < ENTRIES; i += 1) {
    const repo = REPOS[i % REPOS.length]!;
    const number = Math.floor(i / REPOS.length) + 1;
    const author = USERS[i % USERS.length]!;
    const reviewer = USERS[(i + 3) % USERS.length]!;
    const failing = i % 33 === 0;
    const openedAt = new Date(YEAR_START + i * step).toISOString().replace('.000Z', 'Z');
    const mergedAt = new Date(YEAR_START + i * step + step / 2).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const facts = pullRequest({
      number, title: `Change ${number} to ${repo}: ${['fix rounding', 'add endpoint', 'bump dependency', 'tune cache'][i % 4]} (ABC-${1000 + i})`,
      url: `https://github.com/${repo}/pull/${number}`, author: { login: author, type: 'User' }, createdAt: openedAt,
      commits: [commit(`c${i}`, { author: { name: author, email: `${author}@example.com`, user: { login: author, type: 'User' } } })],
      reviews: failing ? [] : [review(reviewer, 'APPROVED', { at: openedAt })],
      checks: [check('ci / test', failing ? 'failure' : 'success'), check('ci / lint', 'success')],
      repository: { owner: repo.split('/')[0]!, name: repo.split('/')[1]!, defaultBranch: 'main' },
    });
    const open = evaluate(policy, facts, new Date(openedAt));
    const done = merged(facts, { by: reviewer, at: mergedAt });
    const final = evaluate(policy, done, new Date(mergedAt));
    const policyRecord = { valid: true as const, settings: policy, files: [{ repository: repo, path: '.github/changeproof.yml', blobSha: 'f'.repeat(40), ref: 'main', commitSha: 'e'.repeat(40) }] };
    const subject = `pull/${number}`;
    const evaluation: EvaluationRecord = { trigger: trigger('pull_request', 'opened', i), verdict: open, facts, policy: policyRecord };
    batch.push({ kind: 'evaluation', repo, subject, data: evaluation });
    batch.push({ kind: 'evaluation', repo, subject, data: { ...evaluation, trigger: trigger('pull_request_review', 'submitted', i) } });
    const change: ChangeRecord = {
      trigger: trigger('pull_request', 'closed', i), verdict: final, facts: done, policy: policyRecord,
      mergedAt, mergedBy: reviewer, mergeCommitSha: done.merge!.mergeCommitSha, exception: failing,
    };
    batch.push({ kind: 'change', repo, subject, data: change });
    if (failing) {
      const exception: ExceptionRecord = {
        type: 'merged_without_passing_control', subject, reason: `Merged by @${reviewer} at ${mergedAt} while not compliant.`, outcome: final.outcome,
        occurredAt: mergedAt, deadline: null, url: facts.url, actor: reviewer, trigger: change.trigger,
      };
      batch.push({ kind: 'exception', repo, subject, data: exception });
    }
    const after = done.merge!.mergeCommitSha!;
    const push: PushRecord = {
      ref: 'refs/heads/main', before: 'b'.repeat(40), after, forced: false, created: false, deleted: false,
      pusher: { name: reviewer, email: null }, sender: reviewer, receivedAt: mergedAt,
      commits: [{ sha: after, author, headline: facts.title, introducedBy: { number, url: facts.url, mergedAt } }], unreviewed: [], gap: null,
      trigger: trigger('push', null, i),
    };
    batch.push({ kind: 'push', repo, subject: `push/${after}`, data: push });
    if (i % 20 === 19) {
      const id = 100_000 + i;
      const decision = { state: 'approved', gated: true, summary: 'Every change in the range is compliant.', commits: [], offending: [], changes: [subject], evaluatedAt: mergedAt };
      const deploymentFacts = { repository: repo, environment: 'production', deploymentId: id, sha: after, ref: 'main', deployer: 'carol', creator: 'github-actions[bot]', baseSha: null, rangeStatus: 'ahead', commits: [], gap: null };
      batch.push({ kind: 'deployment_decision', repo, subject: `deployment/${id}`, data: { facts: deploymentFacts, decision, policy: policyRecord, runId: id, callbackUrl: `https://api.github.com/repos/${repo}/actions/runs/${id}/deployment_protection_rule`, trigger: trigger('deployment_protection_rule', 'requested', i) } });
      batch.push({ kind: 'deployment', repo, subject: `deployment/${id}`, data: { deploymentId: id, environment: 'production', sha: after, ref: 'main', creator: 'github-actions[bot]', createdAt: mergedAt, state: 'success', at: mergedAt, gated: true, decision: null, changes: [subject], trigger: trigger('deployment_status', 'created', i) } });
    }
    now = Date.parse(mergedAt);
    if (batch.length >= 500) {
      const take = batch.slice(0, Math.min(batch.length, ENTRIES - written));
      await ledger.append(take);
      written += take.length;
      batch = [];
      if (written % 50_000 < 500) process.stderr.write(`\rgenerating the ledger: ${written.toLocaleString('en-US')} entries…`);
    }
  }
  if (batch.length) await ledger.append(batch.slice(0, ENTRIES - written));
  await ledger.close();
  renameSync(partialDir, ledgerDir);
  process.stderr.write(`\rgenerated ${ENTRIES.toLocaleString('en-US')} entries in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

interface ChildRun {
  ms: number;
  maxRssMb: number;
  out: string;
}

/** Runs ESM code in a fresh Node process; it prints its own figures as the last line of stdout. */
function child(code: string): ChildRun {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.trim().split('\n');
  const figures = JSON.parse(lines.at(-1)!) as { ms: number; maxRss: number };
  return { ms: figures.ms, maxRssMb: figures.maxRss / 1024, out: lines.slice(0, -1).join('\n') };
}

const FLOOR = (db: string, out: string) => `
import Database from 'better-sqlite3';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
const start = performance.now();
const db = new Database(${JSON.stringify(db)}, { readonly: true });
const file = createWriteStream(${JSON.stringify(out)});
const csv = stringify({ header: true, columns: ['seq', 'kind', 'repo', 'subject', 'title', 'author', 'merged_at', 'merge_sha', 'verdict', 'hash'] });
csv.pipe(file);
let rows = 0;
for (const row of db.prepare("SELECT seq, kind, repo, body, hash FROM entries WHERE kind IN ('change', 'exception', 'deployment', 'deployment_decision') ORDER BY seq").iterate()) {
  const e = JSON.parse(row.body);
  const d = e.data;
  const record = [row.seq, row.kind, row.repo, e.subject, d.facts?.title ?? d.reason ?? '', d.verdict?.subject?.author ?? d.actor ?? d.creator ?? '', d.mergedAt ?? d.occurredAt ?? d.at ?? '', d.mergeCommitSha ?? d.sha ?? '', d.verdict?.outcome ?? d.decision?.state ?? d.type ?? '', row.hash];
  if (!csv.write(record)) await once(csv, 'drain');
  rows += 1;
}
csv.end();
await finished(file);
console.log('rows ' + rows);
console.log(JSON.stringify({ ms: performance.now() - start, maxRss: process.resourceUsage().maxRSS }));
`;

const EXPORT = (db: string, out: string) => `
import { main } from './lib/cli/main.js';
import { Writable } from 'node:stream';
const start = performance.now();
let text = '';
const stdout = new Writable({ write(c, _e, cb) { text += c; cb(); } });
const code = await main(['export', '--ledger', ${JSON.stringify(db)}, '--from', '2026-01-01', '--to', '2026-12-31', '--out', ${JSON.stringify(out)}, '--seed', 'bench', '--strata', 'month', '--json'], { stdout, stderr: process.stderr, env: {} });
if (code !== 0) process.exit(code);
const r = JSON.parse(text);
console.log('population ' + r.population + ' sample ' + r.sample + ' entries ' + r.ledger.entries);
console.log(JSON.stringify({ ms: performance.now() - start, maxRss: process.resourceUsage().maxRSS }));
`;

if (!existsSync(ledgerPath)) await generate();
const work = mkdtempSync(join(tmpdir(), 'changeproof-bench-export-'));
const sizeMb = statSync(ledgerPath).size / 2 ** 20;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
try {
  const floors: ChildRun[] = [];
  const exports: ChildRun[] = [];
  for (let round = 0; round < 3; round += 1) {
    floors.push(child(FLOOR(ledgerPath, join(work, `floor-${round}.csv`))));
    exports.push(child(EXPORT(ledgerPath, join(work, `export-${round}`))));
    rmSync(join(work, `export-${round}`), { recursive: true, force: true });
  }
  const median = (xs: ChildRun[]) => [...xs].sort((a, b) => a.ms - b.ms)[1]!;
  const floor = median(floors);
  const run = median(exports);
  const ratio = run.ms / floor.ms;
  const rss = Math.max(...exports.map((e) => e.maxRssMb));
  console.log(`Export benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log(`Ledger: ${fmt(ENTRIES)} entries, ${sizeMb.toFixed(0)} MiB (SQLite); period 2026-01-01..2026-12-31; ${run.out}; floor: ${floor.out}`);
  console.log('');
  console.log('| measurement (median of 3) | time | peak RSS | ratio to floor | target |');
  console.log('|---|---|---|---|---|');
  console.log(`| floor: the population's rows from SQLite to CSV | ${(floor.ms / 1000).toFixed(1)} s | ${fmt(floor.maxRssMb)} MB | 1.00× | — |`);
  console.log(`| changeproof export: verify 1M entries, population, sample, evidence, XLSX, report, signed manifest | ${(run.ms / 1000).toFixed(1)} s | ${fmt(rss)} MB | ${ratio.toFixed(2)}× | ≤ 3×: ${ratio <= 3 ? 'met' : 'MISSED'}; ≤ 512 MB: ${rss <= 512 ? 'met' : 'MISSED'} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
