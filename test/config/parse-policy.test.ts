import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, formatProblem, parsePolicy, parsePolicyLayer, resolvePolicy, type PolicyProblem } from '../../src/config/parse-policy.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8');
const FILE = 'acme/api:.github/changeproof.yml';

function problemsOf(text: string): PolicyProblem[] {
  const r = parsePolicy(text, FILE);
  if (r.ok) throw new Error(`expected an error for:\n${text}`);
  return r.error.problems;
}

describe('defaults', () => {
  it('the SPEC §2 block parses to exactly the defaults', () => {
    const r = parsePolicy(fixture('spec-defaults.yml'), FILE);
    expect(r.ok && r.policy).toEqual(defaultPolicy());
  });

  it.each([
    ['peer_review.required_approvals', 1],
    ['peer_review.approval_on_head', true],
    ['peer_review.require_write_access', true],
    ['peer_review.count_bot_approvals', false],
    ['peer_review.block_on_changes_requested', true],
    ['peer_review.code_owners', false],
    ['peer_review.keep_approvals_on_update_merge', false],
    ['peer_review.rules', []],
    ['separation_of_duties.author_can_approve', false],
    ['separation_of_duties.contributors_can_approve', false],
    ['separation_of_duties.allow_unattributed_commits', false],
    ['separation_of_duties.merger_must_differ_from_author', false],
    ['separation_of_duties.deployer_must_differ_from_authors', false],
    ['checks.required', []],
    ['checks.min_passing', 1],
    ['change_request.ticket_pattern', null],
    ['emergency.label', 'emergency'],
    ['emergency.retrospective_approval_hours', 48],
    ['scope.branches', ['default']],
    ['scope.ignore_authors', []],
    ['deployments.environments', ['production']],
  ])('%s defaults to %j', (path, expected) => {
    for (const text of ['', '# nothing but a comment\n', `${path.split('.')[0]}: {}\n`]) {
      const r = parsePolicy(text, FILE);
      expect(r.ok).toBe(true);
      const [section, key] = path.split('.') as [string, string];
      expect((r.ok && (r.policy as unknown as Record<string, Record<string, unknown>>)[section]![key]) ?? null).toEqual(expected);
    }
  });

  it('has exactly the keys of SPEC §2', () => {
    const keys = Object.entries(defaultPolicy()).flatMap(([s, v]) => Object.keys(v).map((k) => `${s}.${k}`));
    expect(keys).toHaveLength(22);
  });

  it('reads required checks pinned to their source, beside plain names', () => {
    const r = parsePolicy('checks:\n  required:\n    - build\n    - name: test\n      app: github-actions\n    - name: "ci/*"\n      creator: jenkins-bot\n', FILE);
    expect(r.ok && r.policy.checks.required).toEqual(['build', { name: 'test', app: 'github-actions' }, { name: 'ci/*', creator: 'jenkins-bot' }]);
  });

  it('reads a full policy', () => {
    const r = parsePolicy(fixture('strict.yml'), FILE);
    expect(r.ok && r.policy).toMatchObject({
      peer_review: { required_approvals: 2, approval_on_head: true },
      checks: { required: ['build', 'test (*)'], min_passing: 3 },
      change_request: { ticket_pattern: '(PAY|SEC)-\\d+' },
      emergency: { label: 'sev1', retrospective_approval_hours: 24 },
      scope: { branches: ['default', 'release/*'], ignore_authors: ['dependabot[bot]'] },
      deployments: { environments: ['production', 'staging'] },
    });
  });
});

describe('errors name the file, line and key, with a hint', () => {
  it.each<{ name: string; text: string; line: number; key: string | null; message: RegExp; hint?: RegExp }>([
    { name: 'required_approvals above 10', text: 'peer_review:\n  required_approvals: 11\n', line: 2, key: 'peer_review.required_approvals', message: /must be at most 10, got number 11/, hint: /0–10/ },
    { name: 'required_approvals below 0', text: 'peer_review:\n  required_approvals: -1\n', line: 2, key: 'peer_review.required_approvals', message: /must be at least 0/ },
    { name: 'required_approvals not whole', text: 'peer_review:\n  required_approvals: 1.5\n', line: 2, key: 'peer_review.required_approvals', message: /expected a whole number, got number 1.5/ },
    { name: 'min_passing above 100', text: 'checks:\n  min_passing: 101\n', line: 2, key: 'checks.min_passing', message: /at most 100/ },
    { name: 'retrospective hours of 0', text: 'emergency:\n  retrospective_approval_hours: 0\n', line: 2, key: 'emergency.retrospective_approval_hours', message: /greater than 0/ },
    { name: 'retrospective hours above 720', text: 'emergency:\n\n  retrospective_approval_hours: 721\n', line: 3, key: 'emergency.retrospective_approval_hours', message: /at most 720/ },
    { name: 'an empty branch list', text: 'scope:\n  branches: []\n', line: 2, key: 'scope.branches', message: /at least one branch/ },
    { name: 'an empty emergency label', text: 'emergency:\n  label: ""\n', line: 2, key: 'emergency.label', message: /must not be empty/ },
    { name: 'an invalid ticket regex', text: 'change_request:\n  ticket_pattern: "[A-Z+-"\n', line: 2, key: 'change_request.ticket_pattern', message: /not a valid regular expression/ },
    { name: 'a ticket regex with a backreference (no linear-time match)', text: "change_request:\n  ticket_pattern: '(\\w)\\1'\n", line: 2, key: 'change_request.ticket_pattern', message: /uses a backreference \(`\\1`\)/, hint: /match the text itself/ },
    { name: 'an unknown top-level key', text: 'peer_review: {}\nscopes:\n  branches: [main]\n', line: 2, key: 'scopes', message: /unknown key at the top level/, hint: /did you mean `scope`\?/ },
    { name: 'an unknown nested key', text: 'peer_review:\n  required_approvals: 2\n  aproval_on_head: false\n', line: 3, key: 'peer_review.aproval_on_head', message: /unknown key in `peer_review`/, hint: /did you mean `approval_on_head`\?/ },
    { name: 'an unknown key with no near match', text: 'checks:\n  flavour: vanilla\n', line: 2, key: 'checks.flavour', message: /unknown key/, hint: /known keys in `checks`: required, min_passing/ },
    { name: 'yes is not a boolean in YAML 1.2', text: 'peer_review:\n  count_bot_approvals: yes\n', line: 2, key: 'peer_review.count_bot_approvals', message: /expected a boolean, got the text "yes"/, hint: /true or false/ },
    { name: 'a quoted number', text: 'peer_review:\n  required_approvals: "2"\n', line: 2, key: 'peer_review.required_approvals', message: /expected a number, got the text "2"/ },
    { name: 'a string where a list belongs', text: 'checks:\n  required: build\n', line: 2, key: 'checks.required', message: /expected a list, got the text "build"/, hint: /write a list/ },
    { name: 'a number inside a list of names', text: 'deployments:\n  environments:\n    - production\n    - 42\n', line: 4, key: 'deployments.environments.1', message: /expected a string, got number 42/ },
    { name: 'a required check pinned to both an app and a creator', text: 'checks:\n  required:\n    - name: build\n      app: github-actions\n      creator: bob\n', line: 3, key: 'checks.required.0', message: /pins both `app` and `creator`/, hint: /\{ name, app \}/ },
    { name: 'a misspelt key in a pinned required check', text: 'checks:\n  required:\n    - nme: build\n      app: github-actions\n', line: 3, key: 'checks.required.0.name', message: /expected a string, got nothing/ },
    { name: 'a number as a required check', text: 'checks:\n  required:\n    - 42\n', line: 3, key: 'checks.required.0', message: /expected one of the allowed forms, got number 42/, hint: /check-run or status name/ },
    { name: 'a scalar where a section belongs', text: 'scope: default\n', line: 1, key: 'scope', message: /expected a mapping, got the text "default"/ },
    { name: 'a list at the top', text: '- peer_review\n', line: 1, key: null, message: /must be a mapping of sections/ },
    { name: 'bad indentation', text: fixture('broken-syntax.yml'), line: 2, key: null, message: /YAML syntax error/, hint: /indentation/ },
    { name: 'a duplicate key', text: 'checks:\n  min_passing: 1\n  min_passing: 2\n', line: 3, key: null, message: /YAML syntax error: Map keys must be unique/, hint: /once/ },
    { name: 'a tab used for indentation', text: 'checks:\n\tmin_passing: 1\n', line: 2, key: null, message: /YAML syntax error/, hint: /spaces, not tabs/ },
    { name: 'an unclosed quote', text: 'emergency:\n  label: "sev1\n', line: 3, key: null, message: /YAML syntax error: Missing closing "quote/, hint: /close the quoted text/ },
  ])('$name', ({ text, line, key, message, hint }) => {
    const [first] = problemsOf(text);
    expect(first!.file).toBe(FILE);
    expect(first!.line).toBe(line);
    expect(first!.key).toBe(key);
    expect(first!.message).toMatch(message);
    if (hint) expect(first!.hint).toMatch(hint);
    expect(formatProblem(first!)).toMatch(new RegExp(`^${FILE.replace(/[.]/g, '\\.')}:${line}(:\\d+)?: `));
  });

  it('reports every problem in the file, in line order', () => {
    const problems = problemsOf(fixture('broken-types.yml'));
    expect(problems.map((p) => [p.line, p.key])).toEqual([
      [2, 'peer_review.required_approvals'],
      [3, 'peer_review.count_bot_approvals'],
      [5, 'checks.required'],
      [6, 'scope'],
    ]);
  });

  it('points at the column of the offending value', () => {
    const [p] = problemsOf(fixture('broken-range.yml'));
    expect([p!.line, p!.column]).toEqual([2, 23]);
  });

  it('the error message reads as file:line:column: key: message. Hint: …', () => {
    const r = parsePolicy(fixture('broken-typo.yml'), FILE);
    expect(!r.ok && r.error.message).toBe(
      [
        `${FILE}:3:3: peer_review.aproval_on_head: unknown key in \`peer_review\`. Hint: did you mean \`approval_on_head\`? known keys in \`peer_review\`: required_approvals, approval_on_head, require_write_access, count_bot_approvals, block_on_changes_requested, code_owners, keep_approvals_on_update_merge, rules`,
        `${FILE}:4:1: separaton_of_duties: unknown key at the top level. Hint: did you mean \`separation_of_duties\`? known keys at the top level: _extends, peer_review, separation_of_duties, checks, change_request, emergency, scope, deployments`,
      ].join('\n'),
    );
  });

  it('refuses a file far larger than any policy', () => {
    const [p] = problemsOf(`# ${'x'.repeat(300 * 1024)}\n`);
    expect(p!.message).toMatch(/larger than 256 KiB/);
  });

  it('limits YAML alias expansion', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const r = parsePolicy(bomb, FILE);
    expect(r.ok).toBe(false);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('peer_review:\n  required_approvals: ', 'checks:\n  required:\n    - ', 'scope: [')), (prefix) => {
        const r = parsePolicy(prefix, FILE);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('_extends: an organisation default under a repository file', () => {
  const layer = (text: string, file: string) => {
    const r = parsePolicyLayer(text, file);
    if (!r.ok) throw r.error;
    return r.layer;
  };
  const org = layer('peer_review:\n  required_approvals: 2\n  count_bot_approvals: false\nchecks:\n  required: [build]\nscope:\n  ignore_authors: ["dependabot[bot]"]\n', 'acme/.github:.github/changeproof.yml');

  it('records the _extends target of a file', () => {
    expect(layer('_extends: .github\n', FILE).extends).toBe('.github');
    expect(layer('checks: {}\n', FILE).extends).toBeNull();
  });

  it.each([
    { name: 'the repository wins on a scalar', repo: 'peer_review:\n  required_approvals: 3\n', path: ['peer_review', 'required_approvals'], value: 3 },
    { name: 'unset keys come from the organisation', repo: 'peer_review:\n  approval_on_head: false\n', path: ['peer_review', 'required_approvals'], value: 2 },
    { name: 'lists are concatenated, without duplicates', repo: 'checks:\n  required: [lint, build]\n', path: ['checks', 'required'], value: ['build', 'lint'] },
    { name: 'sections only in the repository apply', repo: 'change_request:\n  ticket_pattern: "OPS-\\\\d+"\n', path: ['change_request', 'ticket_pattern'], value: 'OPS-\\d+' },
    { name: 'keys set nowhere take their defaults', repo: '_extends: .github\n', path: ['emergency', 'retrospective_approval_hours'], value: 48 },
  ])('$name', ({ repo, path, value }) => {
    const r = resolvePolicy([org, layer(repo, FILE)]);
    expect(r.ok).toBe(true);
    const got = path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], r.ok ? r.policy : null);
    expect(got).toEqual(value);
  });

  it('a broken organisation file is reported against that file', () => {
    const r = parsePolicyLayer('peer_review:\n  required_approvals: 99\n', 'acme/.github:.github/changeproof.yml');
    expect(!r.ok && r.error.problems[0]).toMatchObject({ file: 'acme/.github:.github/changeproof.yml', line: 2, key: 'peer_review.required_approvals' });
  });
});
