import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../src/config/policy.schema.js';
import type { RuleId } from '../../src/core/cc81.js';
import type { ChangedFile, ChangeFacts, CodeOwnersFacts, DiffFacts, DiffFile, TeamFacts, UpdateMergeFacts } from '../../src/core/facts.js';
import { buildContext } from '../../src/core/policy/context.js';
import { findRetrospectiveApproval } from '../../src/core/policy/emergency.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { CodeOwnersEvidence, Outcome, PathRuleEvidence, RuleStatus } from '../../src/core/policy/verdict.js';
import { commit, HEAD, merged, NOW, person, policy, pullRequest, push, review, sha, WEB_FLOW, SIGNED_BY_GITHUB } from './facts-builder.js';

/**
 * Path rules, code owners and approvals kept through "Update branch" — each
 * alone and combined, and each against the insider it must hold against: a
 * team member who wrote part of the change, a pull request that edits
 * CODEOWNERS, a merge that sneaks in an edit or resolves a conflict, a team
 * the app cannot read.
 */

interface Case {
  name: string;
  facts: ChangeFacts;
  settings: PolicyInput;
  outcome: Outcome;
  rules?: Partial<Record<RuleId, RuleStatus>>;
  /** Text that must appear in a rule's `seen`, `short` or `toPass` (or the error). */
  seen?: Partial<Record<RuleId | 'evidence', string | RegExp>>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function judge(c: Case) {
  const verdict = evaluate(policy(c.settings), c.facts, NOW);
  for (const [rule, status] of Object.entries(c.rules ?? {})) {
    expect(verdict.rules.find((r) => r.rule === rule)?.status, `rule ${rule}`).toBe(status);
  }
  for (const [rule, text] of Object.entries(c.seen ?? {})) {
    const r = verdict.rules.find((x) => x.rule === rule);
    expect(r, `rule ${rule}`).toBeDefined();
    expect(`${r!.seen} | ${r!.short} | ${r!.toPass}`, `rule ${rule}`).toMatch(text instanceof RegExp ? text : new RegExp(escape(text)));
  }
  expect(verdict.outcome).toBe(c.outcome);
  return verdict;
}

const file = (path: string, previousPath: string | null = null): ChangedFile => ({ path, previousPath, changeType: previousPath ? 'RENAMED' : 'MODIFIED' });
const team = (name: string, members: string[]): TeamFacts => ({ team: name, members, readAt: '2026-03-10T11:59:00Z' });
const codeOwners = (text: string | null): CodeOwnersFacts => ({
  ref: 'main',
  commitSha: sha('main-head'),
  file: text === null ? null : { path: '.github/CODEOWNERS', blobSha: sha(text), text },
  readAt: '2026-03-10T11:59:00Z',
});

const INFRA: PolicyInput = { peer_review: { rules: [{ name: 'infrastructure', paths: ['terraform/**', '.github/workflows/**'], approvals: 1, from: ['@acme/sre', 'carol'] }] } };
const SRE = team('acme/sre', ['dave', 'erin']);

describe('path rules', () => {
  it.each<Case>([
    {
      name: 'an approval from a member of the team satisfies the rule',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { peer_review: 'pass', path_rule: 'pass' },
      seen: { path_rule: /terraform\/main\.tf.*@dave \(as @acme\/sre\).*@acme\/sre \(2 members read at 2026-03-10T11:59:00Z\)/ },
    },
    {
      name: 'a login named in `from` satisfies the rule',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('.github/workflows/deploy.yml')], teams: [SRE], reviews: [review('carol', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { path_rule: 'pass' },
    },
    {
      name: 'an approval from outside `from` counts for peer review, not for the rule',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { peer_review: 'pass', path_rule: 'pending' },
      seen: { path_rule: '@bob (is not in @acme/sre or carol)' },
    },
    {
      name: 'ATTACK: a team member who co-authored a commit does not count',
      settings: INFRA,
      facts: pullRequest({
        changedFiles: [file('terraform/main.tf')],
        teams: [SRE],
        commits: [commit('head', { coAuthors: [person('dave')] })],
        reviews: [review('dave', 'APPROVED'), review('bob', 'APPROVED')],
      }),
      outcome: 'pending',
      rules: { peer_review: 'pass', path_rule: 'pending' },
      seen: { path_rule: /@dave \(co-authored/ },
    },
    {
      name: 'ATTACK: a team member who pushed to the branch does not count',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], pushes: [push('erin', HEAD)], reviews: [review('erin', 'APPROVED'), review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { path_rule: 'pending' },
      seen: { path_rule: /@erin \(pushed/ },
    },
    {
      name: "ATTACK: a team member's approval of an older commit does not count",
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('dave', 'APPROVED', { on: sha('old') }), review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { path_rule: 'pending' },
      seen: { path_rule: /@dave \(approved an older commit/ },
    },
    {
      name: "ATTACK: a team member without write access does not count",
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('dave', 'APPROVED', { canPush: false }), review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { path_rule: 'pending' },
    },
    {
      name: 'ATTACK: renaming a file out of a protected directory still touches it',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('tmp/main.tf', 'terraform/main.tf')], teams: [SRE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { path_rule: 'pending' },
      seen: { path_rule: '`terraform/main.tf`' },
    },
    {
      name: 'a change that touches none of the paths is not subject to the rule (the team need not be read)',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('src/app.ts')] }),
      outcome: 'compliant',
      rules: { path_rule: 'not_applicable' },
    },
    {
      name: 'two approvals needed: one member is not enough',
      settings: { peer_review: { rules: [{ name: 'infrastructure', paths: ['terraform/**'], approvals: 2, from: ['@acme/sre'] }] } },
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'pending',
      rules: { path_rule: 'pending' },
      seen: { path_rule: 'infrastructure: 1 of 2 approvals' },
    },
    {
      name: 'an empty `from` takes any qualifying reviewer, counted per rule',
      settings: { peer_review: { required_approvals: 1, rules: [{ name: 'auth', paths: ['src/auth/'], approvals: 2 }] } },
      facts: pullRequest({ changedFiles: [file('src/auth/login.ts')], reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { peer_review: 'pass', path_rule: 'pass' },
    },
    {
      name: 'at merge an unmet rule fails',
      settings: INFRA,
      facts: merged(pullRequest({ changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('bob', 'APPROVED')] })),
      outcome: 'non_compliant',
      rules: { path_rule: 'fail' },
    },
    {
      name: 'with the emergency label, a change short only of a rule approval is an emergency',
      settings: INFRA,
      facts: pullRequest({ labels: ['emergency'], changedFiles: [file('terraform/main.tf')], teams: [SRE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'emergency',
    },
    {
      name: 'one approval satisfies peer review and several rules',
      settings: {
        peer_review: {
          rules: [
            { name: 'infrastructure', paths: ['terraform/**'], from: ['@acme/sre'] },
            { name: 'workflows', paths: ['.github/workflows/**'], from: ['dave'] },
          ],
        },
      },
      facts: pullRequest({ changedFiles: [file('terraform/main.tf'), file('.github/workflows/ci.yml')], teams: [SRE], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { peer_review: 'pass', path_rule: 'pass' },
    },
    {
      name: 'EVIDENCE GAP: a team the app cannot read is an error saying which permission to grant',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'error',
      seen: { evidence: /members of @acme\/sre could not be read.*members: read/ },
    },
    {
      name: 'EVIDENCE GAP: the changed files not read is an error, never a pass',
      settings: INFRA,
      facts: pullRequest({ teams: [SRE], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'error',
      seen: { evidence: 'files: the files the pull request changes were not read' },
    },
  ])('$name', (c) => {
    judge(c);
  });

  it('records which files matched, who counted and the team as read', () => {
    const verdict = judge({
      name: 'evidence',
      settings: INFRA,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf'), file('src/app.ts')], teams: [SRE], reviews: [review('dave', 'APPROVED'), review('bob', 'APPROVED')] }),
      outcome: 'compliant',
    });
    expect(verdict.rules.find((r) => r.rule === 'path_rule')!.evidence as PathRuleEvidence).toEqual({
      name: 'infrastructure',
      paths: ['terraform/**', '.github/workflows/**'],
      approvals: 1,
      from: ['@acme/sre', 'carol'],
      matchedFiles: ['terraform/main.tf'],
      counted: 1,
      approvers: [
        { login: 'dave', counts: true, detail: 'as @acme/sre' },
        { login: 'bob', counts: false, detail: 'is not in @acme/sre or carol' },
      ],
      teams: [{ team: 'acme/sre', members: ['dave', 'erin'], readAt: '2026-03-10T11:59:00Z' }],
    });
  });
});

const OWNERS = `* @acme/core
/terraform/ @acme/sre
/docs/
.github/CODEOWNERS @acme/security
`;
const CORE = team('acme/core', ['bob', 'carol']);
const SECURITY = team('acme/security', ['frank']);
const CODE_OWNERS: PolicyInput = { peer_review: { code_owners: true } };

describe('code owners', () => {
  it.each<Case>([
    {
      name: "an owner's approval covers the files they own",
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], codeOwners: codeOwners(OWNERS), teams: [CORE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { code_owners: 'pass' },
      seen: { code_owners: /\.github\/CODEOWNERS at main \([0-9a-f]{7}, blob [0-9a-f]{7}\).*@bob \(as @acme\/core\)/ },
    },
    {
      name: 'the last matching line wins: the default owners do not own terraform/',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf')], codeOwners: codeOwners(OWNERS), teams: [CORE, SRE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'pending',
      rules: { code_owners: 'pending' },
      seen: { code_owners: '`terraform/main.tf` (@acme/sre, line 2)' },
    },
    {
      name: 'every owned file needs its owner: one approval for two owners is not enough',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('terraform/main.tf'), file('src/app.ts')], codeOwners: codeOwners(OWNERS), teams: [CORE, SRE], reviews: [review('dave', 'APPROVED')] }),
      outcome: 'pending',
      seen: { code_owners: '1 of 2 owned files awaiting a code owner' },
    },
    {
      name: 'a line without owners requires none',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('docs/intro.md')], codeOwners: codeOwners(OWNERS), reviews: [review('bob', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { code_owners: 'not_applicable' },
    },
    {
      name: 'ATTACK: an owner who is a contributor does not count',
      settings: CODE_OWNERS,
      facts: pullRequest({
        changedFiles: [file('src/app.ts')],
        codeOwners: codeOwners(OWNERS),
        teams: [CORE],
        commits: [commit('head', { committer: person('carol') })],
        reviews: [review('carol', 'APPROVED'), review('dave', 'APPROVED')],
      }),
      outcome: 'pending',
      rules: { peer_review: 'pass', code_owners: 'pending' },
      seen: { code_owners: /@carol \(committed/ },
    },
    {
      name: "ATTACK: a pull request editing CODEOWNERS is judged by the base branch's owners of CODEOWNERS",
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('.github/CODEOWNERS')], codeOwners: codeOwners(OWNERS), teams: [SECURITY], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'pending',
      seen: { code_owners: '`.github/CODEOWNERS` (@acme/security, line 4)' },
    },
    {
      name: 'an owner named by login counts',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], codeOwners: codeOwners('*.ts @bob\n'), reviews: [review('bob', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { code_owners: 'pass' },
    },
    {
      name: 'an owner given only by email cannot be matched: pending, saying so',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], codeOwners: codeOwners('*.ts bob@example.com\n'), reviews: [review('bob', 'APPROVED')] }),
      outcome: 'pending',
      seen: { code_owners: /name them by @login/ },
    },
    {
      name: 'no CODEOWNERS on the base branch: the requirement cannot be met',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], codeOwners: codeOwners(null) }),
      outcome: 'non_compliant',
      rules: { code_owners: 'fail' },
      seen: { code_owners: 'add a CODEOWNERS file to main' },
    },
    {
      name: 'EVIDENCE GAP: CODEOWNERS not read is an error',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], teams: [CORE] }),
      outcome: 'error',
      seen: { evidence: "the base branch's CODEOWNERS was not read" },
    },
    {
      name: 'EVIDENCE GAP: an owning team the app cannot read is an error',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts')], codeOwners: codeOwners(OWNERS), reviews: [review('bob', 'APPROVED')] }),
      outcome: 'error',
      seen: { evidence: /@acme\/core could not be read.*members: read/ },
    },
    {
      name: 'at merge, a file without its owner fails',
      settings: CODE_OWNERS,
      facts: merged(pullRequest({ changedFiles: [file('terraform/x.tf')], codeOwners: codeOwners(OWNERS), teams: [SRE], reviews: [review('bob', 'APPROVED')] })),
      outcome: 'non_compliant',
      rules: { code_owners: 'fail' },
    },
  ])('$name', (c) => {
    judge(c);
  });

  it('records the file and blob used and each file with its deciding line', () => {
    const verdict = judge({
      name: 'evidence',
      settings: CODE_OWNERS,
      facts: pullRequest({ changedFiles: [file('src/app.ts'), file('docs/a.md')], codeOwners: codeOwners(OWNERS), teams: [CORE], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'compliant',
    });
    const e = verdict.rules.find((r) => r.rule === 'code_owners')!.evidence as CodeOwnersEvidence;
    expect(e.source).toEqual({ ref: 'main', commitSha: sha('main-head'), path: '.github/CODEOWNERS', blobSha: sha(OWNERS), readAt: '2026-03-10T11:59:00Z' });
    expect(e.files).toEqual([
      { path: 'src/app.ts', line: 1, pattern: '*', owners: ['@acme/core'], approvedBy: ['bob'] },
      { path: 'docs/a.md', line: 3, pattern: '/docs/', owners: [], approvedBy: [] },
    ]);
  });
});

// "Update branch": A (approved) → M, a merge of the base branch into the pull request.
const BASE = sha('base');
const BASE2 = sha('base-2');
const A = sha('a');
const diffFile = (path: string, blob: string, status = 'modified', previousPath: string | null = null): DiffFile => ({ path, previousPath, status, blobSha: sha(blob) });
const diff = (base: string, head: string, mergeBase: string, files: DiffFile[], status = 'diverged', complete = true): DiffFacts => ({ base, head, mergeBase, status, files, complete });
const APP_V1 = [diffFile('src/app.ts', 'app-v1')];
function updateMerge(opts: { after?: DiffFile[]; base?: DiffFile[]; baseStatus?: string; complete?: boolean } = {}): UpdateMergeFacts {
  return {
    approvedSha: A,
    before: diff(BASE2, A, BASE, APP_V1),
    after: diff(BASE2, HEAD, BASE2, opts.after ?? APP_V1, 'diverged', opts.complete ?? true),
    baseChanges: diff(BASE, BASE2, BASE, opts.base ?? [diffFile('README.md', 'readme-v2')], opts.baseStatus ?? 'ahead'),
  };
}
const MERGE_COMMITS = [commit('a', { parents: [BASE] }), commit('head', { author: person('alice'), committer: WEB_FLOW, signature: SIGNED_BY_GITHUB, parents: [A, BASE2] })];
const updated = (overrides: Partial<ChangeFacts> = {}) =>
  pullRequest({ commits: MERGE_COMMITS, reviews: [review('bob', 'APPROVED', { on: A })], updateMerges: [updateMerge()], pushes: [push('alice', HEAD, { before: A })], ...overrides });
const KEEP: PolicyInput = { peer_review: { keep_approvals_on_update_merge: true } };

describe('approvals kept through a clean update merge', () => {
  it.each<Case>([
    {
      name: 'a clean merge of the base branch keeps the approval',
      settings: KEEP,
      facts: updated(),
      outcome: 'compliant',
      rules: { peer_review: 'pass' },
    },
    {
      name: 'a removal the merge leaves as it was keeps the approval, whatever blob GitHub names for it',
      settings: KEEP,
      facts: updated({
        updateMerges: [
          {
            ...updateMerge({ after: [...APP_V1, { path: 'old.ts', previousPath: null, status: 'removed', blobSha: null }] }),
            before: diff(BASE2, A, BASE, [...APP_V1, { path: 'old.ts', previousPath: null, status: 'removed', blobSha: null }]),
          },
        ],
      }),
      outcome: 'compliant',
    },
    {
      name: 'a file whose resulting content GitHub does not name cannot be shown unchanged',
      settings: KEEP,
      facts: updated({
        updateMerges: [
          {
            ...updateMerge({ after: [{ path: 'src/app.ts', previousPath: null, status: 'modified', blobSha: null }] }),
            before: diff(BASE2, A, BASE, [{ path: 'src/app.ts', previousPath: null, status: 'modified', blobSha: null }]),
          },
        ],
      }),
      outcome: 'pending',
    },
    {
      name: 'without the option the merge makes the approval stale',
      settings: {},
      facts: updated({ updateMerges: undefined }),
      outcome: 'pending',
      seen: { peer_review: /approved an older commit/ },
    },
    {
      name: 'ATTACK: a merge that also changed a file of the pull request voids the approval',
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ after: [diffFile('src/app.ts', 'app-v1-plus-backdoor')] })] }),
      outcome: 'pending',
      seen: { peer_review: /the merges changed src\/app\.ts in the change/ },
    },
    {
      name: 'ATTACK: a merge that slipped in an edit to another file voids the approval',
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ after: [...APP_V1, diffFile('src/auth.ts', 'auth-bypass')] })] }),
      outcome: 'pending',
      seen: { peer_review: /the merges added src\/auth\.ts to the change/ },
    },
    {
      name: 'ATTACK: a merge that resolved a conflict (the base changed the same file) voids the approval',
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ base: [diffFile('src/app.ts', 'app-base-fix')], after: [diffFile('src/app.ts', 'app-v1-resolved')] })] }),
      outcome: 'pending',
      seen: { peer_review: /the merges changed src\/app\.ts/ },
    },
    {
      name: "ATTACK: a resolution that kept the pull request's side (reverting the base's fix) voids the approval",
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ base: [diffFile('src/app.ts', 'app-base-fix')] })] }),
      outcome: 'pending',
      seen: { peer_review: /the base branch also changed src\/app\.ts/ },
    },
    {
      name: 'ATTACK: a plain commit after the approval voids it, even with the same diff',
      settings: KEEP,
      facts: updated({ commits: [commit('a', { parents: [BASE] }), commit('head', { parents: [A] })] }),
      outcome: 'pending',
      seen: { peer_review: /is not a merge of the base branch/ },
    },
    {
      name: 'ATTACK: the approver who pressed "Update branch" pushed the merge, so is a contributor',
      settings: KEEP,
      facts: updated({ pushes: [push('bob', HEAD, { before: A })] }),
      outcome: 'pending',
      seen: { peer_review: /@bob \(pushed/ },
    },
    {
      name: 'a diff longer than GitHub lists cannot be shown unchanged: the approval is not kept',
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ complete: false })] }),
      outcome: 'pending',
      seen: { peer_review: /more files than GitHub lists/ },
    },
    {
      name: 'a rewritten base branch voids the approval',
      settings: KEEP,
      facts: updated({ updateMerges: [updateMerge({ baseStatus: 'diverged' })] }),
      outcome: 'pending',
      seen: { peer_review: /base branch was rewritten/ },
    },
    {
      name: 'EVIDENCE GAP: the diffs not read is an error, never a kept approval',
      settings: KEEP,
      facts: updated({ updateMerges: undefined }),
      outcome: 'error',
      seen: { evidence: /update_merge: the diffs/ },
    },
    {
      name: 'combined with a path rule: the kept approval of a team member satisfies it',
      settings: { peer_review: { keep_approvals_on_update_merge: true, code_owners: true, rules: [{ name: 'app', paths: ['src/**'], from: ['@acme/sre'] }] } },
      facts: updated({
        reviews: [review('dave', 'APPROVED', { on: A })],
        changedFiles: [file('src/app.ts')],
        teams: [SRE],
        codeOwners: codeOwners('src/ @acme/sre\n'),
      }),
      outcome: 'compliant',
      rules: { peer_review: 'pass', path_rule: 'pass', code_owners: 'pass' },
    },
  ])('$name', (c) => {
    judge(c);
  });

  it('the reviewer standing says why the approval was kept', () => {
    const verdict = judge({ name: 'kept', settings: KEEP, facts: updated(), outcome: 'compliant' });
    const standing = (verdict.rules[1]!.evidence as { reviewers: { updateMerge?: unknown }[] }).reviewers[0]!;
    expect(standing.updateMerge).toEqual({ kept: true, merges: [HEAD], why: expect.stringMatching(/is a clean merge of main/) });
  });
});

describe('policies without the new keys judge as before', () => {
  it('no new rule rows, and no new evidence needed', () => {
    const verdict = evaluate(policy({}), pullRequest(), NOW);
    expect(verdict.outcome).toBe('compliant');
    expect(verdict.rules.map((r) => r.rule)).toEqual(['scope', 'peer_review', 'changes_requested', 'separation_of_duties', 'checks', 'change_request', 'emergency']);
    expect(JSON.stringify(verdict)).not.toMatch(/updateMerge/);
  });
});

describe('retrospective approval of an emergency change under path rules and code owners', () => {
  const MERGED_AT = '2026-03-10T11:00:00Z';
  const emergencyChange = (reviews: ReturnType<typeof review>[], extra: Partial<ChangeFacts> = {}) =>
    merged(pullRequest({ labels: ['emergency'], reviews, changedFiles: [file('terraform/main.tf')], teams: [SRE], ...extra }), { at: MERGED_AT });

  it.each<{ name: string; settings: PolicyInput; facts: ChangeFacts; status: string; by?: string; explanation?: RegExp }>([
    {
      name: 'ATTACK: any colleague approving after the merge does not resolve an infrastructure emergency',
      settings: INFRA,
      facts: emergencyChange([review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' })]),
      status: 'open',
      explanation: /still needed: infrastructure: 0 of 1 approval/,
    },
    {
      name: "the team member's approval after the merge resolves it, at that approval's time",
      settings: INFRA,
      facts: emergencyChange([review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' }), review('dave', 'APPROVED', { at: '2026-03-12T12:00:00Z' })]),
      status: 'resolved_late',
      by: 'dave',
    },
    {
      name: 'code owners too: an owner must approve after the merge',
      settings: CODE_OWNERS,
      facts: emergencyChange([review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' })], { codeOwners: codeOwners(OWNERS), teams: [CORE, SRE] }),
      status: 'open',
    },
    {
      name: 'without the team as read, nothing resolves it',
      settings: INFRA,
      facts: emergencyChange([review('dave', 'APPROVED', { at: '2026-03-11T09:00:00Z' })], { teams: [] }),
      status: 'open',
      explanation: /cannot be judged: the members of @acme\/sre could not be read/,
    },
  ])('$name', ({ settings, facts, status, by, explanation }) => {
    const result = findRetrospectiveApproval(buildContext(policy(settings), facts));
    expect(result.status).toBe(status);
    if (by) expect(result.approval?.login).toBe(by);
    if (explanation) expect(result.explanation).toMatch(explanation);
  });

  it('a policy recorded before these keys existed is judged as before', () => {
    const old = policy();
    const legacy = { ...old, peer_review: { required_approvals: 1, approval_on_head: true, require_write_access: true, count_bot_approvals: false, block_on_changes_requested: true } } as unknown as typeof old;
    const facts = merged(pullRequest({ labels: ['emergency'], reviews: [review('bob', 'APPROVED', { at: '2026-03-11T09:00:00Z' })] }), { at: MERGED_AT });
    expect(findRetrospectiveApproval(buildContext(legacy, facts))).toMatchObject({ status: 'resolved', approval: { login: 'bob' } });
  });
});
