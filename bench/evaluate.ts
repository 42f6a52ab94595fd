// Evaluations per second of `evaluate` on a realistic pull request (10 commits,
// 3 reviews, 8 checks), on one core, next to a floor measured in the same run:
// JSON.stringify of the same facts (the app serialises the evidence once per
// evaluation for the ledger anyway). Target: at least 50,000 evaluations/s.
// It measures the compiled code in lib/, as `npm start` runs it (the test
// loader's transform adds wrappers that cost a third of the speed).
//
//   npm run bench:evaluate     (builds, then runs this with tsx)
//
// With CHANGEPROOF_BENCH_BASELINE=<another build's lib/> it also measures that
// build on the same facts in the same run, to compare two versions of the rules.
import { check, commit, HEAD, person, pullRequest, push, review, sha } from '../test/core/facts-builder.js';

// The commits form a chain (each the parent of the next); the author pushed three times.
const label = (i: number) => (i === 9 ? 'head' : `c${i}`);
const facts = pullRequest({
  commits: Array.from({ length: 10 }, (_, i) =>
    commit(label(i), { author: person(i % 3 === 0 ? 'alice' : 'erin'), coAuthors: i === 4 ? [person('frank')] : [], parents: [i === 0 ? sha('base') : sha(label(i - 1))] }),
  ),
  reviews: [review('bob', 'COMMENTED', { at: '2026-03-10T09:00:00Z' }), review('bob', 'APPROVED', { on: sha('c5'), at: '2026-03-10T09:30:00Z' }), review('carol', 'APPROVED', { on: HEAD })],
  checks: ['build', 'lint', 'unit', 'integration', 'e2e', 'codeql', 'license', 'ci/jenkins'].map((name, i) =>
    check(name, 'success', { id: 100 + i, source: name.includes('/') ? 'status' : 'check_run' }),
  ),
  pushes: [
    push('alice', sha('c3'), { source: 'opened', at: '2026-03-09T08:00:00Z' }),
    push('alice', sha('c6'), { before: sha('c3'), at: '2026-03-09T09:00:00Z' }),
    push('alice', HEAD, { before: sha('c6'), at: '2026-03-09T10:00:00Z' }),
  ],
});
const { defaultPolicy } = (await import(new URL('../lib/config/parse-policy.js', import.meta.url).href)) as typeof import('../src/config/parse-policy.js');
const { evaluate } = (await import(new URL('../lib/core/policy/evaluate.js', import.meta.url).href)) as typeof import('../src/core/policy/evaluate.js');
const { renderCheckRun } = (await import(new URL('../lib/core/render/check-run.js', import.meta.url).href)) as typeof import('../src/core/render/check-run.js');
const policy = defaultPolicy();
const now = new Date('2026-03-10T12:00:00Z');

/** Median of 5 rounds of `seconds` each, after a warm-up. */
function rate(label: string, fn: () => unknown, seconds = 1): number {
  for (let i = 0; i < 5000; i++) fn(); // warm up the JIT
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(seconds * 1e9);
    let t = start;
    while (t < end) {
      for (let i = 0; i < 500; i++) fn();
      n += 500;
      t = process.hrtime.bigint();
    }
    rounds.push(n / (Number(t - start) / 1e9));
  }
  const perSecond = rounds.sort((a, b) => a - b)[2]!;
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s  (median of 5)`);
  return perSecond;
}

console.log(`Node ${process.version}, one core; PR with 10 commits, 3 reviews, 8 checks; outcome ${evaluate(policy, facts, now).outcome}`);
const floor = rate('floor: JSON.stringify(facts)', () => JSON.stringify(facts));
const evaluations = rate('evaluate(policy, facts, now)', () => evaluate(policy, facts, now));
const rendered = rate('evaluate + renderCheckRun', () => renderCheckRun(evaluate(policy, facts, now)));
console.log(`ratio evaluate / floor: ${(evaluations / floor).toFixed(2)}×; with rendering: ${(rendered / floor).toFixed(2)}×`);
console.log(`target ≥ 50,000 evaluations/s: ${evaluations >= 50_000 ? 'met' : 'MISSED'}`);

// Ticket patterns that stall a backtracking engine, matched (RE2 semantics) over a 10 kB
// title, body and branch; the floor is JavaScript's RegExp scanning the same texts with a
// benign pattern, which it matches in linear time.
const { compileTicketPattern } = (await import(new URL('../lib/core/ticket-pattern.js', import.meta.url).href)) as typeof import('../src/core/ticket-pattern.js');
const text = 'a'.repeat(10_240);
const benign = /[A-Z]+-\d+/;
const scanFloor = rate('floor: RegExp /[A-Z]+-\\d+/ over 3 × 10 kB', () => [text, text, text].map((t) => benign.exec(t)), 0.5);
for (const source of ['([a-z]|[a-z0-9])*!', '(a+)+$', '(x+x+)+y', '(.*a){20}']) {
  const compiled = compileTicketPattern(source);
  if (!compiled.ok) throw new Error(`${source}: ${compiled.problem.message}`);
  const scans = rate(`ticket pattern ${source} over 3 × 10 kB`, () => [text, text, text].map((t) => compiled.pattern.find(t)), 0.5);
  console.log(`  ${(1000 / scans).toPrecision(2)} ms a pull request; ${(scans / scanFloor).toPrecision(2)}× the RegExp floor's rate`);
}
const baseline = process.env['CHANGEPROOF_BENCH_BASELINE'];
if (baseline) {
  const lib = new URL(`file://${baseline.replace(/\/$/, '')}/`);
  const old = (await import(new URL('core/policy/evaluate.js', lib).href)) as typeof import('../src/core/policy/evaluate.js');
  const oldPolicy = ((await import(new URL('config/parse-policy.js', lib).href)) as typeof import('../src/config/parse-policy.js')).defaultPolicy();
  // Rounds alternate between the two builds, so drift in the machine's speed hits both alike.
  const ratios: number[] = [];
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < 9; i++) {
    const before = rateOnce(() => old.evaluate(oldPolicy, facts, now));
    const after = rateOnce(() => evaluate(policy, facts, now));
    pairs.push([before, after]);
    ratios.push(after / before);
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`baseline ${baseline}: evaluate ${Math.round(mid(pairs.map((p) => p[0]))).toLocaleString('en-US')} /s; this build ${Math.round(mid(pairs.map((p) => p[1]))).toLocaleString('en-US')} /s (medians of 9 alternating rounds)`);
  console.log(`this build / baseline: ${mid(ratios).toFixed(2)}× (median of the 9 rounds' ratios; range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; target ≥ 0.9×)`);
}

/** Evaluations per second over one 0.5 s round (already warm). */
function rateOnce(fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + 500_000_000n;
  let t = start;
  while (t < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    t = process.hrtime.bigint();
  }
  return n / (Number(t - start) / 1e9);
}
