import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';

const FILE = 'acme/api:.github/changeproof.yml';

describe('peer_review.rules, code_owners, keep_approvals_on_update_merge', () => {
  it('reads a rule with teams and logins, defaulting approvals to 1', () => {
    const r = parsePolicy(
      "peer_review:\n  code_owners: true\n  keep_approvals_on_update_merge: true\n  rules:\n    - name: infrastructure\n      paths: ['terraform/**', '.github/workflows/**']\n      from: ['@acme/sre', carol]\n",
      FILE,
    );
    expect(r.ok && r.policy.peer_review).toMatchObject({
      code_owners: true,
      keep_approvals_on_update_merge: true,
      rules: [{ name: 'infrastructure', paths: ['terraform/**', '.github/workflows/**'], approvals: 1, from: ['@acme/sre', 'carol'] }],
    });
  });

  it.each([
    ['a negated path', "peer_review:\n  rules:\n    - name: a\n      paths: ['!docs/**']\n", 'peer_review.rules.0.paths.0', /negates/],
    ['a character range', "peer_review:\n  rules:\n    - name: a\n      paths: ['[ab]/**']\n", 'peer_review.rules.0.paths.0', /character range/],
    ['a backslash in a path', "peer_review:\n  rules:\n    - name: a\n      paths: ['src\\\\x']\n", 'peer_review.rules.0.paths.0', /backslash/],
    ['no paths', 'peer_review:\n  rules:\n    - name: a\n      paths: []\n', 'peer_review.rules.0.paths', /at least one path/],
    ['approvals of 0', "peer_review:\n  rules:\n    - name: a\n      paths: [x]\n      approvals: 0\n", 'peer_review.rules.0.approvals', /.+/],
    ['a team without its organisation', "peer_review:\n  rules:\n    - name: a\n      paths: [x]\n      from: ['@sre team']\n", 'peer_review.rules.0.from.0', /neither a team/],
    ['two rules of one name', 'peer_review:\n  rules:\n    - name: a\n      paths: [x]\n    - name: A\n      paths: [y]\n', 'peer_review.rules.1.name', /repeats the rule name/],
    ['an unknown key in a rule', 'peer_review:\n  rules:\n    - name: a\n      paths: [x]\n      teams: [sre]\n', 'peer_review.rules.0.teams', /unknown key/],
  ])('rejects %s, naming the key', (_name, text, key, message) => {
    const r = parsePolicy(text, FILE);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problems).toEqual([expect.objectContaining({ key, message: expect.stringMatching(message) })]);
  });
});
