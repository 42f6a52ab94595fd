// What the ledger benchmarks append, and how they print their figures.
import type { EntryInput } from '../src/ledger/ledger.js';

/** An evaluation about the size the app records (~1.3 KB canonical). */
export function evaluation(i: number): EntryInput {
  return {
    kind: 'evaluation',
    repo: 'acme/payments-api',
    subject: `pull/${1000 + i}`,
    data: {
      verdict: 'compliant', head_sha: 'a'.repeat(40), policy: { source: '.github/changeproof.yml', blob: 'b'.repeat(40) },
      rules: ['peer_review', 'separation_of_duties', 'checks', 'change_request'].map((rule) => ({
        rule, outcome: 'pass', required: 'at least 1 approval on the head commit', seen: ['alice approved 2026-03-01T10:00:00Z'],
      })),
      approvals: [{ login: 'alice', at: '2026-03-01T10:00:00Z', on_head: true }],
      checks: [{ name: 'ci/test', conclusion: 'success' }, { name: 'ci/lint', conclusion: 'success' }],
      commits: [{ sha: 'c'.repeat(40), author: 'bob', headline: `Fix rounding in invoice totals (#${i})` }],
    },
  };
}

export const perSecond = (count: number, ms: number) => (count / ms) * 1000;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
