import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../src/config/policy.schema.js';
import type { ChangeFacts } from '../../src/core/facts.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { Outcome, RuleStatus } from '../../src/core/policy/verdict.js';
import type { RuleId } from '../../src/core/cc81.js';
import { check, commit, HEAD, merged, NOW, OLD, person, policy, pullRequest, review, SIGNED_BY_GITHUB, user, WEB_FLOW } from './facts-builder.js';

interface Case {
  name: string;
  facts: ChangeFacts;
  settings?: PolicyInput;
  outcome: Outcome;
  /** Expected status of some rules. */
  rules?: Partial<Record<RuleId, RuleStatus>>;
  /** Text that must appear in a rule's `seen` (or `short`). */
  seen?: Partial<Record<RuleId, string | RegExp>>;
  enforced?: boolean;
}

const judge = (c: Case) => {
  const verdict = evaluate(policy(c.settings), c.facts, NOW);
  expect(verdict.outcome).toBe(c.outcome);
  for (const [rule, status] of Object.entries(c.rules ?? {})) {
    expect(verdict.rules.find((r) => r.rule === rule)?.status, `rule ${rule}`).toBe(status);
  }
  for (const [rule, text] of Object.entries(c.seen ?? {})) {
    const r = verdict.rules.find((x) => x.rule === rule)!;
    expect(`${r.seen} | ${r.short}`, `rule ${rule}`).toMatch(text instanceof RegExp ? text : new RegExp(escape(text)));
  }
  if (c.enforced !== undefined) expect(verdict.enforced).toBe(c.enforced);
  return verdict;
};
const run = (c: Case): void => void judge(c);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const noReviews = { reviews: [] };

describe('peer review', () => {
  it.each<Case>([
    { name: 'an approval on the head commit by a reviewer with write access is compliant', facts: pullRequest(), outcome: 'compliant', rules: { peer_review: 'pass' }, seen: { peer_review: '@bob approved' } },
    { name: 'no review while open is pending', facts: pullRequest(noReviews), outcome: 'pending', rules: { peer_review: 'pending' }, seen: { peer_review: '0 of 1 approval' } },
    { name: 'no review at merge is non-compliant', facts: merged(pullRequest(noReviews)), outcome: 'non_compliant', rules: { peer_review: 'fail' }, seen: { peer_review: 'merged with 0 of 1 approval' } },
    {
      name: 'approval on an older commit does not count',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { on: OLD })] }),
      outcome: 'pending',
      rules: { peer_review: 'pending' },
      seen: { peer_review: `@bob (approved an older commit ${OLD.slice(0, 7)}, not the head ${HEAD.slice(0, 7)})` },
    },
    {
      name: 'approval on an older commit counts when approval_on_head is off',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { on: OLD })] }),
      settings: { peer_review: { approval_on_head: false } },
      outcome: 'compliant',
    },
    {
      name: 'a later CHANGES_REQUESTED from the same reviewer replaces the approval',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('bob', 'CHANGES_REQUESTED', { at: '2026-03-10T10:05:00Z' })] }),
      outcome: 'non_compliant',
      rules: { peer_review: 'pending', changes_requested: 'fail' },
      seen: { changes_requested: 'Changes requested by @bob' },
    },
    {
      name: 'a COMMENTED review after an approval keeps the approval',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('bob', 'COMMENTED', { at: '2026-03-10T10:05:00Z' })] }),
      outcome: 'compliant',
    },
    {
      name: 'a COMMENTED review after a request for changes keeps blocking',
      facts: pullRequest({ reviews: [review('carol', 'CHANGES_REQUESTED', { at: '2026-03-10T10:00:00Z' }), review('carol', 'COMMENTED', { at: '2026-03-10T10:05:00Z' }), review('bob', 'APPROVED')] }),
      outcome: 'non_compliant',
      rules: { changes_requested: 'fail', peer_review: 'pass' },
    },
    {
      name: 'a dismissed review is no approval',
      facts: pullRequest({ reviews: [review('bob', 'DISMISSED')] }),
      outcome: 'pending',
      rules: { peer_review: 'pending' },
      seen: { peer_review: 'No approval counts' },
    },
    {
      name: 'a dismissed request for changes no longer blocks',
      facts: pullRequest({ reviews: [review('carol', 'DISMISSED'), review('bob', 'APPROVED')] }),
      outcome: 'compliant',
      rules: { changes_requested: 'pass' },
    },
    {
      name: 'approving again after a request for changes unblocks',
      facts: pullRequest({ reviews: [review('bob', 'CHANGES_REQUESTED', { at: '2026-03-10T09:00:00Z' }), review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' })] }),
      outcome: 'compliant',
    },
    {
      name: 'reviews are ordered by submission time, not by list order',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('bob', 'CHANGES_REQUESTED', { at: '2026-03-10T09:00:00Z' })] }),
      outcome: 'compliant',
    },
    {
      name: "the author's own approval does not count",
      facts: pullRequest({ reviews: [review('alice', 'APPROVED')] }),
      outcome: 'pending',
      seen: { peer_review: '@alice (is the author of the pull request)' },
    },
    {
      name: "the author's approval counts when author_can_approve",
      facts: pullRequest({ reviews: [review('Alice', 'APPROVED')] }),
      settings: { separation_of_duties: { author_can_approve: true } },
      outcome: 'compliant',
    },
    {
      name: 'a co-author approval does not count',
      facts: pullRequest({ commits: [commit('head', { coAuthors: [person('bob')] })] }),
      outcome: 'pending',
      rules: { peer_review: 'pending', separation_of_duties: 'pass' },
      seen: { peer_review: /@bob \(co-authored [0-9a-f]{7}\)/, separation_of_duties: /approvals set aside: @bob co-authored/ },
    },
    {
      name: 'a committer approval does not count',
      facts: pullRequest({ commits: [commit('head', { committer: person('bob') })] }),
      outcome: 'pending',
      seen: { peer_review: /@bob \(committed [0-9a-f]{7}\)/ },
    },
    {
      name: 'a commit-author approval does not count even when someone else opened the PR',
      facts: pullRequest({ commits: [commit('a', { author: person('bob') }), commit('head')] }),
      outcome: 'pending',
      seen: { peer_review: /@bob \(authored and committed [0-9a-f]{7}\)/ },
    },
    {
      name: 'contributor approvals count when contributors_can_approve',
      facts: pullRequest({ commits: [commit('head', { coAuthors: [person('bob')] })] }),
      settings: { separation_of_duties: { contributors_can_approve: true } },
      outcome: 'compliant',
    },
    {
      name: "contributors_can_approve does not let the author approve",
      facts: pullRequest({ reviews: [review('alice', 'APPROVED')] }),
      settings: { separation_of_duties: { contributors_can_approve: true } },
      outcome: 'pending',
    },
    {
      name: 'the web-flow committer of a commit GitHub signed is not a contributor',
      facts: pullRequest({ commits: [commit('head', { committer: WEB_FLOW, signature: SIGNED_BY_GITHUB })], reviews: [review('bob', 'APPROVED')] }),
      outcome: 'compliant',
      seen: { separation_of_duties: /contributors @alice;/ },
    },
    {
      name: 'a bot approval (login ending [bot]) does not count',
      facts: pullRequest({ reviews: [review('renovate[bot]', 'APPROVED')] }),
      outcome: 'pending',
      seen: { peer_review: '@renovate[bot] (is a bot account)' },
    },
    {
      name: 'a bot approval (account type Bot) does not count',
      facts: pullRequest({ reviews: [review('approver', 'APPROVED', { type: 'Bot' })] }),
      outcome: 'pending',
    },
    {
      name: 'bot approvals count when count_bot_approvals',
      facts: pullRequest({ reviews: [review('renovate[bot]', 'APPROVED')] }),
      settings: { peer_review: { count_bot_approvals: true } },
      outcome: 'compliant',
    },
    {
      name: 'a reviewer without write access does not count',
      facts: pullRequest({ reviews: [review('dave', 'APPROVED', { canPush: false })] }),
      outcome: 'pending',
      seen: { peer_review: '@dave (cannot push to the repository)' },
    },
    {
      name: 'a reviewer without write access counts when require_write_access is off',
      facts: pullRequest({ reviews: [review('dave', 'APPROVED', { canPush: false })] }),
      settings: { peer_review: { require_write_access: false } },
      outcome: 'compliant',
    },
    {
      name: 'one approval of two required is pending',
      facts: pullRequest(),
      settings: { peer_review: { required_approvals: 2 } },
      outcome: 'pending',
      seen: { peer_review: '1 of 2 approvals' },
    },
    {
      name: 'two independent approvals satisfy two required',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')] }),
      settings: { peer_review: { required_approvals: 2 } },
      outcome: 'compliant',
    },
    {
      name: 'two reviews by the same person are one approval',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('BOB', 'APPROVED', { at: '2026-03-10T10:01:00Z' })] }),
      settings: { peer_review: { required_approvals: 2 } },
      outcome: 'pending',
    },
    { name: 'required_approvals 0 needs no review', facts: pullRequest(noReviews), settings: { peer_review: { required_approvals: 0 } }, outcome: 'compliant', rules: { peer_review: 'not_applicable' } },
    {
      name: 'a review by a deleted account is ignored',
      facts: pullRequest({ reviews: [{ ...review('bob', 'APPROVED'), author: null }] }),
      outcome: 'pending',
    },
    {
      name: 'an unsubmitted (PENDING) review is ignored',
      facts: pullRequest({ reviews: [review('bob', 'PENDING')] }),
      outcome: 'pending',
    },
    {
      name: 'requested changes do not block when block_on_changes_requested is off',
      facts: pullRequest({ reviews: [review('carol', 'CHANGES_REQUESTED'), review('bob', 'APPROVED')] }),
      settings: { peer_review: { block_on_changes_requested: false } },
      outcome: 'compliant',
      rules: { changes_requested: 'not_applicable' },
    },
  ])('$name', run);
});

describe('separation of duties', () => {
  const unlinked = person(null, 'laptop@localhost');
  it.each<Case>([
    {
      name: 'an unattributed commit fails',
      facts: pullRequest({ commits: [commit('a', { author: unlinked }), commit('head')] }),
      outcome: 'non_compliant',
      rules: { separation_of_duties: 'fail' },
      seen: { separation_of_duties: /cannot show who wrote commit [0-9a-f]{7} \(author Someone <laptop@localhost> is not linked to a GitHub account\)/ },
    },
    {
      name: 'an unattributed co-author fails',
      facts: pullRequest({ commits: [commit('head', { coAuthors: [unlinked] })] }),
      outcome: 'non_compliant',
      seen: { separation_of_duties: 'co-author Someone <laptop@localhost>' },
    },
    {
      name: 'unattributed commits pass when allowed',
      facts: pullRequest({ commits: [commit('head', { author: unlinked })] }),
      settings: { separation_of_duties: { allow_unattributed_commits: true } },
      outcome: 'compliant',
    },
    {
      name: 'an unlinked committer alone is not an unattributed commit',
      facts: pullRequest({ commits: [commit('head', { committer: unlinked })] }),
      outcome: 'compliant',
    },
    {
      name: 'an unattributed commit is non-compliant even while other rules are pending',
      facts: pullRequest({ commits: [commit('head', { author: unlinked })], reviews: [], checks: [check('ci', 'in_progress')] }),
      outcome: 'non_compliant',
    },
    {
      name: 'the author merging fails when merger_must_differ_from_author',
      facts: merged(pullRequest(), { by: 'alice' }),
      settings: { separation_of_duties: { merger_must_differ_from_author: true } },
      outcome: 'non_compliant',
      seen: { separation_of_duties: 'merged by its author @alice' },
    },
    {
      name: 'someone else merging passes when merger_must_differ_from_author',
      facts: merged(pullRequest(), { by: 'carol' }),
      settings: { separation_of_duties: { merger_must_differ_from_author: true } },
      outcome: 'compliant',
      seen: { separation_of_duties: 'merged by @carol' },
    },
    {
      name: 'the merger rule waits for the merge while open',
      facts: pullRequest(),
      settings: { separation_of_duties: { merger_must_differ_from_author: true } },
      outcome: 'compliant',
    },
    {
      name: 'the author merging is allowed by default',
      facts: merged(pullRequest(), { by: 'alice' }),
      outcome: 'compliant',
    },
    {
      name: 'a pull request whose author account was deleted cannot show separation',
      facts: pullRequest({ author: null }),
      outcome: 'non_compliant',
      seen: { separation_of_duties: 'cannot show who opened the pull request' },
    },
  ])('$name', run);
});

describe('checks', () => {
  it.each<Case>([
    { name: 'a failing check fails while open', facts: pullRequest({ checks: [check('ci', 'failure')] }), outcome: 'non_compliant', rules: { checks: 'fail' }, seen: { checks: 'check `ci` (failure) failed' } },
    { name: 'a check in progress is pending while open', facts: pullRequest({ checks: [check('ci', 'in_progress')] }), outcome: 'pending', rules: { checks: 'pending' }, seen: { checks: '`ci` still runs' } },
    { name: 'a queued check is pending while open', facts: pullRequest({ checks: [check('ci', 'queued')] }), outcome: 'pending' },
    { name: 'a check in progress at merge fails', facts: merged(pullRequest({ checks: [check('ci', 'in_progress')] })), outcome: 'non_compliant', rules: { checks: 'fail' }, seen: { checks: 'merged while `ci` still runs' } },
    { name: 'a pending commit status is pending', facts: pullRequest({ checks: [check('ci/jenkins', 'pending', { source: 'status' })] }), outcome: 'pending' },
    { name: 'an error commit status fails', facts: pullRequest({ checks: [check('ci/jenkins', 'error', { source: 'status' })] }), outcome: 'non_compliant' },
    { name: 'a successful commit status passes', facts: pullRequest({ checks: [check('ci/jenkins', 'success', { source: 'status' })] }), outcome: 'compliant' },
    {
      name: 'a re-run that passes replaces the failed run (latest id per name wins)',
      facts: pullRequest({ checks: [check('ci', 'failure', { id: 1 }), check('ci', 'success', { id: 2 })] }),
      outcome: 'compliant',
    },
    {
      name: 'a re-run that fails replaces the passed run',
      facts: pullRequest({ checks: [check('ci', 'success', { id: 2 }), check('ci', 'failure', { id: 3 })] }),
      outcome: 'non_compliant',
    },
    {
      name: 'a queued re-run makes a passed check pending again',
      facts: pullRequest({ checks: [check('ci', 'success', { id: 2 }), check('ci', 'queued', { id: 5, at: undefined })] }),
      outcome: 'pending',
    },
    {
      name: 'the latest commit status per context wins, by time',
      facts: pullRequest({
        checks: [check('ci/jenkins', 'failure', { source: 'status', at: '2026-03-10T09:00:00Z' }), check('ci/jenkins', 'success', { source: 'status', at: '2026-03-10T09:10:00Z' })],
      }),
      outcome: 'compliant',
    },
    {
      name: "Changeproof's own check run is never counted",
      facts: pullRequest({ checks: [check('Change control (CC8.1)', 'success')] }),
      outcome: 'pending',
      seen: { checks: '0 of 1 passing check' },
    },
    { name: 'no checks at all is pending (min_passing 1)', facts: pullRequest({ checks: [] }), outcome: 'pending', seen: { checks: 'No checks reported' } },
    { name: 'no checks at merge fails (min_passing 1)', facts: merged(pullRequest({ checks: [] })), outcome: 'non_compliant' },
    { name: 'no checks with min_passing 0 is compliant', facts: pullRequest({ checks: [] }), settings: { checks: { min_passing: 0 } }, outcome: 'compliant' },
    {
      name: 'fewer than min_passing passing checks is pending while open',
      facts: pullRequest({ checks: [check('ci', 'success')] }),
      settings: { checks: { min_passing: 2 } },
      outcome: 'pending',
      seen: { checks: '1 of 2 passing checks' },
    },
    {
      name: 'fewer than min_passing passing checks fails at merge',
      facts: merged(pullRequest({ checks: [check('ci', 'success')] })),
      settings: { checks: { min_passing: 2 } },
      outcome: 'non_compliant',
    },
    {
      name: 'neutral and skipped checks pass',
      facts: pullRequest({ checks: [check('lint', 'neutral', { id: 1 }), check('deploy-preview', 'skipped', { id: 2 })] }),
      settings: { checks: { min_passing: 2 } },
      outcome: 'compliant',
    },
    ...(['cancelled', 'timed_out', 'action_required', 'stale', 'startup_failure'] as const).map(
      (conclusion): Case => ({ name: `a ${conclusion} check fails`, facts: pullRequest({ checks: [check('ci', conclusion)] }), outcome: 'non_compliant' }),
    ),
    {
      name: 'a required glob covers every matching check; one failing fails',
      facts: pullRequest({ checks: [check('test (ubuntu)', 'success', { id: 1 }), check('test (windows)', 'failure', { id: 2 })] }),
      settings: { checks: { required: ['test (*)'] } },
      outcome: 'non_compliant',
      seen: { checks: '`test (windows)` (failure)' },
    },
    {
      name: 'a required glob matches across slashes and spaces',
      facts: pullRequest({ checks: [check('ci / build (linux, 20)', 'success')] }),
      settings: { checks: { required: ['ci / build*'] } },
      outcome: 'compliant',
    },
    {
      name: 'a required check not yet reported is pending while open',
      facts: pullRequest({ checks: [check('lint', 'success')] }),
      settings: { checks: { required: ['lint', 'build'] } },
      outcome: 'pending',
      seen: { checks: 'required `build` not reported' },
    },
    {
      name: 'a required check missing at merge fails',
      facts: merged(pullRequest({ checks: [check('lint', 'success')] })),
      settings: { checks: { required: ['lint', 'build'] } },
      outcome: 'non_compliant',
    },
    {
      name: 'with required checks, a failing check that is not required is ignored',
      facts: pullRequest({ checks: [check('build', 'success', { id: 1 }), check('flaky-e2e', 'failure', { id: 2 })] }),
      settings: { checks: { required: ['build'] } },
      outcome: 'compliant',
    },
    {
      name: 'with required [], every check on the head must pass',
      facts: pullRequest({ checks: [check('build', 'success', { id: 1 }), check('flaky-e2e', 'failure', { id: 2 })] }),
      outcome: 'non_compliant',
    },
    {
      name: 'a failing check makes the change non-compliant even while reviews are pending',
      facts: pullRequest({ reviews: [], checks: [check('ci', 'failure', { id: 1 }), check('e2e', 'in_progress', { id: 2 })] }),
      outcome: 'non_compliant',
    },
  ])('$name', run);
});

describe('change request (ticket)', () => {
  const settings: PolicyInput = { change_request: { ticket_pattern: '[A-Z]+-\\d+' } };
  it.each<Case>([
    { name: 'a ticket in the title passes', facts: pullRequest({ title: 'OPS-12 rate limits' }), settings, outcome: 'compliant', seen: { change_request: 'Found "OPS-12" in the title' } },
    { name: 'a ticket in the body passes', facts: pullRequest({ body: 'Fixes SEC-7' }), settings, outcome: 'compliant', seen: { change_request: 'in the body' } },
    { name: 'a ticket in the head branch passes', facts: pullRequest({ headRef: 'feature/API-301-limits' }), settings, outcome: 'compliant', seen: { change_request: 'in the head branch' } },
    { name: 'no ticket reference fails while open', facts: pullRequest(), settings, outcome: 'non_compliant', rules: { change_request: 'fail' } },
    { name: 'no ticket pattern means no ticket needed', facts: pullRequest(), outcome: 'compliant', rules: { change_request: 'not_applicable' } },
  ])('$name', run);
});

describe('emergency', () => {
  const labelled = (o: Partial<ChangeFacts> = {}) => pullRequest({ labels: ['emergency'], reviews: [], ...o });
  it.each<Case>([
    { name: 'an emergency label with only review missing is an emergency while open', facts: labelled(), outcome: 'emergency', rules: { emergency: 'pass', peer_review: 'pending' } },
    {
      name: 'an emergency merged without review is an emergency with a deadline',
      facts: merged(labelled(), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'emergency',
      seen: { emergency: 'retrospective approval due by 2026-03-12T11:00:00Z' },
    },
    { name: 'the label compares case-insensitively', facts: labelled({ labels: ['Emergency'] }), outcome: 'emergency' },
    { name: 'a custom emergency label', facts: labelled({ labels: ['hotfix'] }), settings: { emergency: { label: 'hotfix' } }, outcome: 'emergency' },
    { name: 'failing checks still fail an emergency', facts: labelled({ checks: [check('ci', 'failure')] }), outcome: 'non_compliant' },
    { name: 'requested changes still fail an emergency', facts: labelled({ reviews: [review('carol', 'CHANGES_REQUESTED')] }), outcome: 'non_compliant' },
    { name: 'an emergency with checks still running is pending', facts: labelled({ checks: [check('ci', 'in_progress')] }), outcome: 'pending' },
    { name: 'an approved emergency change is compliant', facts: labelled({ reviews: [review('bob', 'APPROVED')] }), outcome: 'compliant' },
    { name: 'without the label, missing review at merge is non-compliant', facts: merged(pullRequest({ reviews: [] })), outcome: 'non_compliant' },
  ])('$name', run);
});

describe('scope', () => {
  it.each<Case>([
    {
      name: 'an ignored author is recorded but not enforced',
      facts: pullRequest({ author: user('dependabot[bot]'), commits: [commit('head', { author: person('dependabot[bot]'), signature: SIGNED_BY_GITHUB })], reviews: [] }),
      settings: { scope: { ignore_authors: ['Dependabot[bot]'] } },
      outcome: 'pending',
      enforced: false,
      seen: { scope: 'author @dependabot[bot] is in scope.ignore_authors' },
    },
    { name: 'a base branch outside scope is not enforced', facts: pullRequest({ baseRef: 'experiments' }), outcome: 'compliant', enforced: false, seen: { scope: 'base branch `experiments` is not in scope.branches' } },
    { name: '`default` means the default branch', facts: pullRequest({ baseRef: 'main' }), outcome: 'compliant', enforced: true, rules: { scope: 'pass' } },
    { name: 'a branch glob matches one path segment', facts: pullRequest({ baseRef: 'release/1.2' }), settings: { scope: { branches: ['release/*'] } }, outcome: 'compliant', enforced: true },
    { name: 'a branch glob `*` does not cross `/`', facts: pullRequest({ baseRef: 'release/1/hotfix' }), settings: { scope: { branches: ['release/*'] } }, outcome: 'compliant', enforced: false },
    { name: '`**` crosses `/`', facts: pullRequest({ baseRef: 'release/1/hotfix' }), settings: { scope: { branches: ['release/**'] } }, outcome: 'compliant', enforced: true },
  ])('$name', run);
});

describe('evidence', () => {
  it('incomplete evidence is an error, never judged on the part that was read', () => {
    const v = judge({ name: '', facts: pullRequest({ gaps: [{ what: 'commits', reason: 'GitHub listed 250 of 300 commits' }] }), outcome: 'error' });
    expect(v.error).toContain('GitHub listed 250 of 300 commits');
    expect(v.rules.map((r) => r.rule)).toEqual(['evidence']);
  });

  it('every rule says what it required and what it saw, and names CC8.1 points of focus', () => {
    const v = evaluate(policy(), pullRequest(), NOW);
    expect(v.rules.map((r) => r.rule)).toEqual(['scope', 'peer_review', 'changes_requested', 'separation_of_duties', 'checks', 'change_request', 'emergency']);
    for (const r of v.rules) {
      expect(r.required.length, r.rule).toBeGreaterThan(5);
      expect(r.seen.length, r.rule).toBeGreaterThan(5);
      expect(r.pointsOfFocus.length, r.rule).toBeGreaterThan(0);
      for (const id of r.pointsOfFocus) expect(id).toMatch(/^CC8\.1-PF\d+$/);
    }
    expect(v.evaluatedAt).toBe('2026-03-10T12:00:00Z');
    expect(v.subject).toMatchObject({ repository: 'acme/api', number: 42, headSha: HEAD, author: 'alice' });
  });

  it('is deterministic: the same input gives the same verdict', () => {
    const facts = pullRequest({ reviews: [review('bob', 'APPROVED', { on: OLD }), review('carol', 'CHANGES_REQUESTED')] });
    expect(evaluate(policy(), facts, NOW)).toEqual(evaluate(policy(), structuredClone(facts), NOW));
  });
});
