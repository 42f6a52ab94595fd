import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';
import type { Policy } from '../../src/config/policy.schema.js';
import type { ChangeFacts } from '../../src/core/facts.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { ChangeRequestEvidence, RuleResult } from '../../src/core/policy/verdict.js';
import { compileTicketPattern, MAX_TICKET_PATTERN_SIZE } from '../../src/core/ticket-pattern.js';
import { NOW, policy, pullRequest } from './facts-builder.js';

const FILE = 'acme/api:.github/changeproof.yml';
const KEY = 'change_request.ticket_pattern';

/** The change-request rule's result for a pull request under a ticket pattern (through `evaluate`, as the app runs it). */
function ticketRule(pattern: string, facts: ChangeFacts, given: Policy = policy({ change_request: { ticket_pattern: pattern } })): RuleResult<ChangeRequestEvidence> {
  const verdict = evaluate(given, facts, NOW);
  return verdict.rules.find((r) => r.rule === 'change_request') as RuleResult<ChangeRequestEvidence>;
}

/** The policy file with this pattern, single-quoted as the docs advise (YAML keeps backslashes as written). */
const policyFile = (pattern: string) => `change_request:\n  ticket_pattern: '${pattern.replace(/'/g, "''")}'\n`;

/**
 * The fastest of three runs: timing noise on a busy machine only ever adds.
 * The bounds below guard against a hang, not a speed: a backtracking engine
 * takes longer than anyone waits on these texts, RE2 a few milliseconds (the
 * figures are in bench/evaluate).
 */
function fastestMs(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('ticket patterns match in linear time', () => {
  // Each of these stalls a backtracking engine (JavaScript's RegExp) for seconds to years
  // on the text beside it; `([a-z]|[a-z0-9])*!` took 26 s on a 28-character title.
  it.each([
    { pattern: '([a-z]|[a-z0-9])*!', text: 'a'.repeat(10_240) },
    { pattern: '(a+)+$', text: `${'a'.repeat(10_240)}!` },
    { pattern: '(a|aa)*b', text: 'a'.repeat(10_240) },
    { pattern: '(x+x+)+y', text: 'x'.repeat(10_240) },
    { pattern: '(\\w+\\s?)+$', text: `${'ab '.repeat(3_414)}!` },
    { pattern: '(.*a){20}', text: `${'a'.repeat(10_240)}b` },
    { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', text: 'a'.repeat(10_240) },
  ])('$pattern on a 10 kB title, body and branch: no hang (well under 1 s), and accepted by the policy check', ({ pattern, text }) => {
    expect(parsePolicy(policyFile(pattern), FILE).ok).toBe(true);
    const facts = pullRequest({ title: text, body: text, headRef: text });
    ticketRule(pattern, facts); // compiled once, as the app's cache would have it
    expect(fastestMs(() => ticketRule(pattern, facts))).toBeLessThan(1_000);
  });

  it('even the largest pattern allowed stays fast on GitHub\'s largest body (65,536 characters)', () => {
    // (.*a){49} compiles to 247 instructions, just inside the bound: about 0.3 s here.
    const pattern = '(.*a){49}';
    expect(compileTicketPattern(pattern).ok).toBe(true);
    const body = 'a'.repeat(65_536);
    const started = performance.now();
    expect(ticketRule(pattern, pullRequest({ body })).status).toBe('pass');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('what RE2 cannot express is a config error naming the key', () => {
  it.each([
    { pattern: '(\\w)\\1', message: /^uses a backreference \(`\\1`\), which a ticket pattern cannot: patterns are matched in linear time/ },
    { pattern: '([A-Z]+)-\\d+ \\1', message: /backreference \(`\\1`\)/ },
    { pattern: '(?<key>[A-Z]+)-\\k<key>', message: /backreference \(`\\k<key>`\)/ },
    { pattern: '(?=x)', message: /^uses a lookahead \(`\(\?=`\), which a ticket pattern cannot/ },
    { pattern: 'OPS-(?!0)\\d+', message: /lookahead \(`\(\?!`\)/ },
    { pattern: '(?<=\\s)OPS-\\d+', message: /^uses a lookbehind \(`\(\?<=`\)/ },
    { pattern: '(?<!x)OPS-\\d+', message: /lookbehind \(`\(\?<!`\)/ },
    { pattern: '(.*a){50}', message: /^is too complex: it compiles to 252 RE2 instructions, and at most 250 are allowed/ },
    { pattern: '\\w{1,1000}', message: /too complex: it compiles to 2001 RE2 instructions/ },
    { pattern: 'a{1001}', message: /^is not a valid regular expression in RE2 syntax: invalid repeat count/ },
    { pattern: '[A-Z+-', message: /^is not a valid regular expression in RE2 syntax: missing closing \]/ },
    { pattern: '\\u0041', message: /not a valid regular expression in RE2 syntax: invalid escape sequence: `\\u`/ },
  ])('$pattern', ({ pattern, message }) => {
    const r = parsePolicy(`peer_review:\n  required_approvals: 1\n${policyFile(pattern)}`, FILE);
    expect(r.ok).toBe(false);
    const [problem, ...others] = r.ok ? [] : r.error.problems;
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ file: FILE, line: 4, key: KEY });
    expect(problem!.message).toMatch(message);
    expect(problem!.hint).toMatch(/e\.g\.|RE2 syntax/);
    expect(r.ok ? '' : r.error.message).toMatch(new RegExp(`^${FILE.replace(/\./g, '\\.')}:4:\\d+: change_request\\.ticket_pattern: `));
  });

  it.each([
    ['a lookahead-looking text inside a class is literal', '[(?=]OPS-\\d+', 'x(OPS-1'],
    ['an escaped parenthesis is literal', '\\(?=OPS-\\d+', '=OPS-12'],
    ['an escaped backslash before a digit is no backreference', 'OPS\\\\1', 'OPS\\1'],
    ['a named group is no lookbehind', '(?<key>[A-Z]+)-\\d+', 'SEC-7'],
    ['a digit in a class after a backslash-bracket', '[\\]1]+-\\d+', ']1-4'],
  ])('%s: %s is accepted', (_name, pattern, text) => {
    expect(parsePolicy(policyFile(pattern), FILE).ok).toBe(true);
    expect(ticketRule(pattern, pullRequest({ title: text })).status).toBe('pass');
  });

  it('a policy that reaches the evaluation unchecked fails the rule, saying why, and never throws', () => {
    const unchecked = { ...policy(), change_request: { ticket_pattern: '(\\w)\\1' } };
    const rule = ticketRule('(\\w)\\1', pullRequest({ title: 'aa OPS-1' }), unchecked);
    expect(rule).toMatchObject({ status: 'fail', short: 'unusable ticket pattern' });
    expect(rule.seen).toMatch(/^The ticket pattern cannot be used: it uses a backreference/);
    expect(rule.toPass).toMatch(/^fix change_request\.ticket_pattern in the policy file/);
    expect(evaluate(unchecked, pullRequest(), NOW).outcome).toBe('non_compliant');
  });

  it('never throws, whatever the pattern and the text: a pattern is usable or refused with words', () => {
    const piece = fc.constantFrom('(', ')', '[', ']', '\\', '?', '*', '+', '{', '}', ',', '|', '^', '$', '.', '<', '>', '=', '!', 'P', 'k', 'u', 'x', '1', '2', 'a', '-', ':', 'i', 'p', '\\p{L}', '\\d');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.array(piece, { maxLength: 12 }).map((a) => a.join(''))), fc.string({ maxLength: 40 }), (source, text) => {
        const compiled = compileTicketPattern(source);
        if (compiled.ok) expect(typeof (compiled.pattern.find(text) ?? '')).toBe('string');
        else expect(compiled.problem.message.length).toBeGreaterThan(10);
      }),
      { numRuns: 2_000, seed: 20260301 },
    );
  });

  it('the bound sits where the docs say', () => {
    expect(MAX_TICKET_PATTERN_SIZE).toBe(250);
    expect(compileTicketPattern('(.*a){49}').ok).toBe(true);
    expect(compileTicketPattern('(.*a){50}').ok).toBe(false);
  });
});

describe('ordinary patterns keep their meaning', () => {
  it.each<{ name: string; pattern: string; facts: Partial<ChangeFacts>; match: ChangeRequestEvidence['match'] }>([
    { name: 'a Jira key in the title', pattern: '[A-Z]+-\\d+', facts: { title: 'OPS-12 rate limits' }, match: { field: 'title', text: 'OPS-12' } },
    { name: 'an issue number in the body', pattern: '#\\d+', facts: { body: 'Fixes #345 and #7' }, match: { field: 'body', text: '#345' } },
    { name: 'a project list in the head branch', pattern: '(PAY|SEC)-\\d+', facts: { headRef: 'feature/SEC-7-tokens' }, match: { field: 'head branch', text: 'SEC-7' } },
    { name: 'the title wins over the body', pattern: '[A-Z]+-\\d+', facts: { title: 'API-1 x', body: 'OPS-2' }, match: { field: 'title', text: 'API-1' } },
    { name: 'case-sensitive by default', pattern: '[A-Z]+-\\d+', facts: { title: 'ops-12 rate limits', body: '', headRef: 'fix' }, match: null },
    { name: '(?i) turns on case-insensitivity', pattern: '(?i)ops-\\d+', facts: { title: 'OPS-12 rate limits' }, match: { field: 'title', text: 'OPS-12' } },
    { name: 'word boundaries', pattern: '\\bJIRA-[0-9]{1,6}\\b', facts: { title: 'XJIRA-1 then JIRA-22' }, match: { field: 'title', text: 'JIRA-22' } },
    { name: 'leftmost, then the earlier alternative', pattern: 'OPS|OPS-\\d+', facts: { title: 'see OPS-12' }, match: { field: 'title', text: 'OPS' } },
    { name: 'anchors apply to the whole text', pattern: '^[A-Z]+-\\d+:', facts: { title: 'Fix: OPS-1: x', body: 'OPS-2: y' }, match: { field: 'body', text: 'OPS-2:' } },
    { name: 'a multi-line body without (?m)', pattern: '^Ticket: \\S+$', facts: { body: 'Intro\nTicket: OPS-9' }, match: null },
    { name: 'a multi-line body with (?m)', pattern: '(?m)^Ticket: \\S+$', facts: { body: 'Intro\nTicket: OPS-9\nmore' }, match: { field: 'body', text: 'Ticket: OPS-9' } },
    { name: 'non-ASCII text around the reference', pattern: '[A-Z]+-\\d+', facts: { title: 'Ämter – 😀 BUG-7 ✓' }, match: { field: 'title', text: 'BUG-7' } },
    { name: 'a null body', pattern: '#\\d+', facts: { body: null as unknown as string, headRef: 'x' }, match: null },
  ])('$name', ({ pattern, facts, match }) => {
    expect(parsePolicy(policyFile(pattern), FILE).ok).toBe(true);
    const rule = ticketRule(pattern, pullRequest({ title: 'Add rate limiting', body: '', headRef: 'feature', ...facts }));
    expect(rule.evidence).toEqual({ pattern, match });
    expect(rule.status).toBe(match ? 'pass' : 'fail');
  });

  // Patterns both engines accept find the same text as JavaScript did.
  const patterns = ['[A-Z]+-\\d+', '(PAY|SEC)-\\d+', '#\\d+', '\\bJIRA-[0-9]{1,6}\\b', '[A-Z][A-Z0-9_]+-[1-9]\\d*', '(?:ops|OPS)-\\d+', 'a|ab', '\\d+?', 'x*', '[^\\s/]+/\\d+'];
  const texts = ['OPS-12 fix', 'fix #3 and #44', 'PAY-1 SEC-2', 'JIRA-1234567 JIRA-12', 'A_B-0 A_B-10', 'abc', 'ops-7', 'acme/api/12', '', 'no ticket here'];
  it.each(patterns)('%s finds what JavaScript found, in every text', (pattern) => {
    const compiled = compileTicketPattern(pattern);
    if (!compiled.ok) throw new Error(compiled.problem.message);
    for (const text of texts) expect(compiled.pattern.find(text), JSON.stringify(text)).toBe(new RegExp(pattern).exec(text)?.[0] ?? null);
  });
});
