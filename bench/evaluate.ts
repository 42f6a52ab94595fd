// Evaluations per second of `evaluate` on a realistic pull request (10 commits,
// 3 reviews, 8 checks), on one core, next to a floor measured in the same run:
// JSON.stringify of the same facts (the app serialises the evidence once per
// evaluation for the ledger anyway). Target: at least 50,000 evaluations/s.
//
//   npx tsx bench/evaluate.ts
import { defaultPolicy } from '../src/config/parse-policy.js';
import { evaluate } from '../src/core/policy/evaluate.js';
import { renderCheckRun } from '../src/core/render/check-run.js';
import { check, commit, HEAD, person, pullRequest, review, sha } from '../test/core/facts-builder.js';

const facts = pullRequest({
  commits: Array.from({ length: 10 }, (_, i) => commit(i === 9 ? 'head' : `c${i}`, { author: person(i % 3 === 0 ? 'alice' : 'erin'), coAuthors: i === 4 ? [person('frank')] : [] })),
  reviews: [review('bob', 'COMMENTED', { at: '2026-03-10T09:00:00Z' }), review('bob', 'APPROVED', { on: sha('c5'), at: '2026-03-10T09:30:00Z' }), review('carol', 'APPROVED', { on: HEAD })],
  checks: ['build', 'lint', 'unit', 'integration', 'e2e', 'codeql', 'license', 'ci/jenkins'].map((name, i) =>
    check(name, 'success', { id: 100 + i, source: name.includes('/') ? 'status' : 'check_run' }),
  ),
});
const policy = defaultPolicy();
const now = new Date('2026-03-10T12:00:00Z');

function rate(label: string, fn: () => unknown, seconds = 2): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  let t = start;
  while (t < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    t = process.hrtime.bigint();
  }
  const perSecond = n / (Number(t - start) / 1e9);
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s`);
  return perSecond;
}

console.log(`Node ${process.version}, one core; PR with 10 commits, 3 reviews, 8 checks; outcome ${evaluate(policy, facts, now).outcome}`);
const floor = rate('floor: JSON.stringify(facts)', () => JSON.stringify(facts));
const evaluations = rate('evaluate(policy, facts, now)', () => evaluate(policy, facts, now));
const rendered = rate('evaluate + renderCheckRun', () => renderCheckRun(evaluate(policy, facts, now)));
console.log(`ratio evaluate / floor: ${(evaluations / floor).toFixed(2)}×; with rendering: ${(rendered / floor).toFixed(2)}×`);
console.log(`target ≥ 50,000 evaluations/s: ${evaluations >= 50_000 ? 'met' : 'MISSED'}`);
