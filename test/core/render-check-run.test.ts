import { describe, expect, it } from 'vitest';
import type { PolicyProblem } from '../../src/config/parse-policy.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import { errorVerdict, policyErrorVerdict, subjectOf } from '../../src/core/policy/special-verdicts.js';
import { renderCheckRun } from '../../src/core/render/check-run.js';
import { check, commit, HEAD, merged, NOW, OLD, person, policy, pullRequest, review, sha, user } from './facts-builder.js';

const render = (facts = pullRequest(), settings = {}) => renderCheckRun(evaluate(policy(settings), facts, NOW));

describe('check run rendering', () => {
  it.each([
    { name: 'compliant → success', facts: pullRequest(), status: 'completed', conclusion: 'success', title: /^Compliant: approved by @bob; no changes requested; duties separated; 1 check passed/ },
    { name: 'non-compliant → failure', facts: pullRequest({ checks: [check('ci', 'failure')] }), status: 'completed', conclusion: 'failure', title: /^Not compliant: check `ci` \(failure\) failed$/ },
    {
      name: 'several failures are counted in the title',
      facts: pullRequest({ checks: [check('ci', 'failure')], reviews: [review('carol', 'CHANGES_REQUESTED')] }),
      status: 'completed',
      conclusion: 'failure',
      title: /^Not compliant: changes requested by @carol \(\+1 more\)$/,
    },
    { name: 'pending → in_progress without a conclusion', facts: pullRequest({ reviews: [] }), status: 'in_progress', conclusion: undefined, title: /^Pending: 0 of 1 approval$/ },
    {
      name: 'emergency while open → neutral, due within the window',
      facts: pullRequest({ labels: ['emergency'], reviews: [] }),
      status: 'completed',
      conclusion: 'neutral',
      title: /^Emergency change: approval due within 48 h of merge$/,
    },
    {
      name: 'emergency at merge → neutral with the deadline',
      facts: merged(pullRequest({ labels: ['emergency'], reviews: [] }), { at: '2026-03-10T11:00:00Z' }),
      status: 'completed',
      conclusion: 'neutral',
      title: /^Emergency change: retrospective approval due by 2026-03-12T11:00:00Z$/,
    },
    {
      name: 'not enforced → neutral, saying why',
      facts: pullRequest({ baseRef: 'sandbox' }),
      status: 'completed',
      conclusion: 'neutral',
      title: /^Not enforced: base branch `sandbox` is not in scope\.branches$/,
    },
  ])('$name', ({ facts, status, conclusion, title }) => {
    const view = render(facts);
    expect(view.name).toBe('Change control (CC8.1)');
    expect(view.status).toBe(status);
    expect(view.conclusion).toBe(conclusion);
    expect(view.title).toMatch(title);
  });

  it('an evaluation error → failure titled as an error, with the cause and a re-run hint', () => {
    const v = errorVerdict(subjectOf(pullRequest()), 'GitHub answered 502 Bad Gateway after 3 attempts', 'open', NOW);
    const view = renderCheckRun(v);
    expect(view).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(view.title).toBe('Evaluation error: GitHub answered 502 Bad Gateway after 3 attempts. Re-run to retry');
    expect(view.summary).toContain('Re-run');
  });

  it('an invalid policy → failure naming the file, line and key', () => {
    const problems: PolicyProblem[] = [
      { file: 'acme/api:.github/changeproof.yml', line: 3, column: 23, key: 'peer_review.required_approvals', message: 'must be at most 10, got number 12', hint: 'use 0–10' },
    ];
    const view = renderCheckRun(policyErrorVerdict(pullRequest(), problems, NOW));
    expect(view.conclusion).toBe('failure');
    expect(view.title).toBe('Not compliant: invalid policy file acme/api:.github/changeproof.yml:3');
    expect(view.summary).toContain('acme/api:.github/changeproof.yml:3 `peer_review.required_approvals`: must be at most 10, got number 12');
  });

  it('the summary has one row per rule with its icon, and the evidence behind it', () => {
    const facts = pullRequest({
      reviews: [review('bob', 'APPROVED', { on: OLD }), review('carol', 'APPROVED')],
      checks: [check('ci', 'success', { id: 1 }), check('e2e', 'in_progress', { id: 2 })],
    });
    const { summary } = render(facts);
    expect(summary).toMatch(/^### ⏳ Pending/);
    expect(summary).toContain('| ✅ | Peer review |');
    expect(summary).toContain('| ⏳ | Checks |');
    expect(summary).toContain('| ➖ | Change request |');
    expect(summary).toContain(`approved an older commit ${OLD.slice(0, 7)}, not the head ${HEAD.slice(0, 7)}`);
    expect(summary).toContain('| @carol | [APPROVED]');
    expect(summary).toContain(`on head \`${HEAD}\``);
    expect(summary).toContain('CC8.1-PF8 Approves System Changes');
    expect(summary).toContain('2026-03-10T12:00:00Z');
  });

  it('names the policy source when given', () => {
    const v = evaluate(policy(), pullRequest(), NOW);
    expect(renderCheckRun(v, { description: 'acme/api:.github/changeproof.yml (blob 3f2a1b0)' }).summary).toContain('against acme/api:.github/changeproof.yml (blob 3f2a1b0)');
  });

  it('escapes check names so they cannot break the table', () => {
    const { summary } = render(pullRequest({ checks: [check('evil | <img src=x> \n name', 'failure')] }));
    expect(summary).toContain('evil \\| &lt;img src=x&gt;');
    expect(summary).not.toContain('<img');
  });

  it('unattributed commits are listed with their full SHA', () => {
    const facts = pullRequest({ commits: [commit('head', { author: person(null, 'build@ci.local') })] });
    expect(render(facts).summary).toContain(`Unattributed: \`${HEAD}\` author Someone &lt;build@ci.local&gt;`);
  });

  it('stays within GitHub’s 65,535-character summary limit on a huge pull request', () => {
    const commits = Array.from({ length: 3000 }, (_, i) => commit(`c${i}`, { author: person(`dev${i}`) }));
    const reviews = Array.from({ length: 500 }, (_, i) => review(`rev${i}`, 'APPROVED', { on: sha(`c${i}`) }));
    const checks = Array.from({ length: 500 }, (_, i) => check(`job ${i} ${'x'.repeat(80)}`, 'failure', { id: i }));
    const view = render(pullRequest({ commits, reviews, checks, author: user('alice') }));
    expect(view.summary.length).toBeLessThanOrEqual(65_535);
    expect(view.title.length).toBeLessThanOrEqual(200);
  });
});
