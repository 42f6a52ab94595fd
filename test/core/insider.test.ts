import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../src/config/policy.schema.js';
import type { RuleId } from '../../src/core/cc81.js';
import type { ChangeFacts, CommitPerson } from '../../src/core/facts.js';
import { describeContributor } from '../../src/core/policy/contributors.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import type { ChecksEvidence, Outcome, RuleStatus, SeparationOfDutiesEvidence } from '../../src/core/policy/verdict.js';
import { check, commit, HEAD, merged, NOW, person, policy, pullRequest, push, review, sha, SIGNED_BY_GITHUB, signedBy, user, WEB_FLOW } from './facts-builder.js';

/**
 * The rules that hold against the people they check: who counts as a
 * contributor (pushers, signers, GitHub's name only on GitHub's signature),
 * which checks count (not a contributor's own statuses; pinned sources), and
 * when an ignored author exempts a change (only when nobody else shaped it).
 */

interface Case {
  name: string;
  facts: ChangeFacts;
  settings?: PolicyInput;
  outcome: Outcome;
  rules?: Partial<Record<RuleId, RuleStatus>>;
  /** Text that must appear in a rule's `seen` or `short`. */
  seen?: Partial<Record<RuleId, string | RegExp>>;
  enforced?: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function judge(c: Case): void {
  const verdict = evaluate(policy(c.settings), c.facts, NOW);
  for (const [rule, status] of Object.entries(c.rules ?? {})) {
    expect(verdict.rules.find((r) => r.rule === rule)?.status, `rule ${rule}`).toBe(status);
  }
  for (const [rule, text] of Object.entries(c.seen ?? {})) {
    const r = verdict.rules.find((x) => x.rule === rule)!;
    expect(`${r.seen} | ${r.short}`, `rule ${rule}`).toMatch(text instanceof RegExp ? text : new RegExp(escape(text)));
  }
  expect(verdict.outcome).toBe(c.outcome);
  if (c.enforced !== undefined) expect(verdict.enforced).toBe(c.enforced);
}

const BASE = sha('base');
const GITHUB_AUTHOR: CommitPerson = { name: 'GitHub', email: 'noreply@github.com', user: null };
const short = (s: string) => s.slice(0, 7);

describe('who is a contributor', () => {
  it.each<Case>([
    {
      name: "a reviewer's commit in GitHub's name (not signed by GitHub) makes him a contributor through his push",
      facts: pullRequest({
        commits: [commit('a', { parents: [BASE] }), commit('head', { author: GITHUB_AUTHOR, committer: GITHUB_AUTHOR, parents: [sha('a')] })],
        pushes: [push('alice', sha('a'), { before: BASE, at: '2026-03-09T09:00:00Z' }), push('bob', HEAD, { before: sha('a'), at: '2026-03-09T09:30:00Z' })],
      }),
      outcome: 'pending',
      rules: { peer_review: 'pending', separation_of_duties: 'pass' },
      seen: { peer_review: `@bob (pushed ${short(HEAD)} at 2026-03-09T09:30:00Z (synchronize) and pushed ${short(HEAD)}, which carries GitHub's name without GitHub's signature)` },
    },
    {
      name: "a reviewer's commit in the author's name makes him a contributor through his push",
      facts: pullRequest({ commits: [commit('head', { author: person('alice'), parents: [BASE] })], pushes: [push('bob', HEAD, { before: BASE })] }),
      outcome: 'pending',
      seen: { peer_review: `@bob (pushed ${short(HEAD)} at 2026-03-09T09:30:00Z (synchronize))` },
    },
    {
      name: 'one push reported by a synchronize and a push delivery reads as one line',
      facts: pullRequest({ commits: [commit('head', { parents: [BASE] })], pushes: [push('bob', HEAD, { before: BASE }), push('bob', HEAD, { before: BASE, source: 'push' })] }),
      outcome: 'pending',
      seen: { peer_review: `@bob (pushed ${short(HEAD)} at 2026-03-09T09:30:00Z (synchronize, push))` },
    },
    {
      name: 'a verified web-flow merge-from-base commit ("Update branch") is still exempt',
      facts: pullRequest({
        commits: [commit('a', { parents: [BASE] }), commit('head', { author: person('alice'), committer: WEB_FLOW, parents: [sha('a'), sha('main-later')], signature: SIGNED_BY_GITHUB })],
        pushes: [push('alice', HEAD, { before: sha('a') })],
      }),
      outcome: 'compliant',
      seen: { separation_of_duties: /contributors @alice;/ },
    },
    {
      name: 'a commit GitHub made and signed in its own name names nobody',
      facts: pullRequest({ commits: [commit('head', { author: WEB_FLOW, committer: WEB_FLOW, signature: SIGNED_BY_GITHUB })] }),
      outcome: 'compliant',
      rules: { separation_of_duties: 'pass' },
      seen: { separation_of_duties: 'all attributed' },
    },
    {
      name: "an unverified commit in web-flow's name is attributed to its pusher",
      facts: pullRequest({
        commits: [commit('head', { committer: WEB_FLOW, parents: [BASE] })],
        pushes: [push('carol', HEAD, { before: BASE })],
      }),
      outcome: 'compliant',
      rules: { separation_of_duties: 'pass' },
      seen: { separation_of_duties: /contributors @alice and @carol;/ },
    },
    {
      name: "an unverified commit in GitHub's name whose push was not received is unattributed",
      facts: pullRequest({ commits: [commit('head', { author: GITHUB_AUTHOR, committer: WEB_FLOW })] }),
      outcome: 'non_compliant',
      rules: { separation_of_duties: 'fail' },
      seen: { separation_of_duties: `cannot show who wrote commit ${short(HEAD)} (author GitHub <noreply@github.com> is GitHub's name on a commit GitHub did not sign, and no push of it was received)` },
    },
    {
      name: "a web-flow signature GitHub could not verify does not exempt",
      facts: pullRequest({ commits: [commit('head', { committer: WEB_FLOW, signature: { isValid: false, state: 'BAD_EMAIL', wasSignedByGitHub: true, signer: null } })] }),
      outcome: 'non_compliant',
      seen: { separation_of_duties: "committer GitHub <noreply@github.com> is GitHub's name on a commit GitHub did not sign" },
    },
    {
      name: 'unattributed commits in GitHub\'s name are allowed when allow_unattributed_commits',
      facts: pullRequest({ commits: [commit('head', { author: GITHUB_AUTHOR, committer: WEB_FLOW })] }),
      settings: { separation_of_duties: { allow_unattributed_commits: true } },
      outcome: 'compliant',
    },
    {
      name: 'the signer of a verified signature is a contributor',
      facts: pullRequest({ commits: [commit('head', { signature: signedBy('bob') })] }),
      outcome: 'pending',
      seen: { peer_review: `@bob (signed ${short(HEAD)})` },
    },
    {
      name: 'the actor of a head-ref force push is a contributor',
      facts: pullRequest({ pushes: [push('bob', HEAD, { source: 'force_push', before: sha('gone') })] }),
      outcome: 'pending',
      seen: { peer_review: `@bob (force-pushed ${short(sha('gone'))} → ${short(HEAD)} at 2026-03-09T09:30:00Z (force push))` },
    },
    {
      name: 'whoever reopened the pull request is a contributor',
      facts: pullRequest({ pushes: [push('bob', HEAD, { source: 'reopened' })] }),
      outcome: 'pending',
      seen: { peer_review: `@bob (reopened it with head ${short(HEAD)} at 2026-03-09T09:30:00Z (reopened))` },
    },
    {
      name: 'a push by an account GitHub no longer names is stated as such',
      facts: pullRequest({ pushes: [push(null, HEAD, { before: BASE })] }),
      outcome: 'compliant',
      seen: { separation_of_duties: '1 push by an account GitHub no longer names' },
    },
    {
      name: 'a head commit whose push was not received is stated as such',
      facts: pullRequest({ pushes: [] }),
      outcome: 'compliant',
      seen: { separation_of_duties: `the push of head ${short(HEAD)} was not received, so who pushed it is not known` },
    },
    {
      name: 'a new head whose push is not yet received (earlier pushes were): pending, whoever approved — the pusher may be an approver',
      facts: pullRequest({
        commits: [commit('a', { parents: [BASE] }), commit('head', { parents: [sha('a')] })],
        pushes: [push('alice', sha('a'), { before: BASE, source: 'opened' })],
      }),
      outcome: 'pending',
      rules: { separation_of_duties: 'pending', peer_review: 'pass' },
      seen: { separation_of_duties: `waiting for GitHub's notice of the push of head ${short(HEAD)}` },
    },
    {
      name: 'merged while the push of its head was still not received: cannot show who pushed it',
      facts: merged(pullRequest({
        commits: [commit('a', { parents: [BASE] }), commit('head', { parents: [sha('a')] })],
        pushes: [push('alice', sha('a'), { before: BASE, source: 'opened' })],
      })),
      outcome: 'non_compliant',
      rules: { separation_of_duties: 'fail' },
      seen: { separation_of_duties: `cannot show who pushed head ${short(HEAD)}: GitHub's notice of that push was not received` },
    },
    {
      name: 'the push of the head received, from an account GitHub no longer names: not awaited',
      facts: pullRequest({
        commits: [commit('a', { parents: [BASE] }), commit('head', { parents: [sha('a')] })],
        pushes: [push('alice', sha('a'), { before: BASE, source: 'opened' }), push(null, HEAD, { before: sha('a') })],
      }),
      outcome: 'compliant',
      rules: { separation_of_duties: 'pass' },
    },
    {
      name: 'each commit is answered for by the push that brought it, by ancestry',
      facts: pullRequest({
        commits: [commit('a', { committer: WEB_FLOW, parents: [BASE] }), commit('head', { committer: WEB_FLOW, parents: [sha('a')] })],
        pushes: [push('carol', sha('a'), { before: BASE, at: '2026-03-09T09:00:00Z' }), push('alice', HEAD, { before: sha('a'), at: '2026-03-09T09:30:00Z' })],
      }),
      outcome: 'compliant',
      seen: { separation_of_duties: /contributors @alice and @carol;/ },
    },
    {
      name: "a reviewer's approval still counts when the author pushed every commit",
      facts: pullRequest({ commits: [commit('head', { parents: [BASE] })], pushes: [push('alice', HEAD, { before: BASE })] }),
      outcome: 'compliant',
    },
  ])('$name', judge);

  it('the evidence says, for each person, why they count', () => {
    const facts = pullRequest({
      commits: [commit('a', { parents: [BASE], coAuthors: [person('dave')] }), commit('head', { committer: person('erin'), parents: [sha('a')], signature: signedBy('alice') })],
      pushes: [push('frank', HEAD, { before: sha('a'), at: '2026-03-09T10:02:00Z' })],
    });
    const sod = evaluate(policy(), facts, NOW).rules.find((r) => r.rule === 'separation_of_duties')!.evidence as SeparationOfDutiesEvidence;
    expect(Object.fromEntries(sod.contributors.map((c) => [c.login, describeContributor(c)]))).toEqual({
      alice: ['opened the pull request', `authored ${short(sha('a'))} and ${short(HEAD)}`, `committed ${short(sha('a'))}`, `signed ${short(HEAD)}`],
      frank: [`pushed ${short(HEAD)} at 2026-03-09T10:02:00Z (synchronize)`],
      dave: [`co-authored ${short(sha('a'))}`],
      erin: [`committed ${short(HEAD)}`],
    });
  });
});

describe('separation_of_duties.require_verified_signatures', () => {
  const on = { separation_of_duties: { require_verified_signatures: true } };
  it.each<Case>([
    { name: 'an unsigned commit fails', facts: pullRequest(), settings: on, outcome: 'non_compliant', seen: { separation_of_duties: `commit ${short(HEAD)} is not signed` } },
    { name: "a commit signed by its author's verified key passes", facts: pullRequest({ commits: [commit('head', { signature: signedBy('alice') })] }), settings: on, outcome: 'compliant' },
    {
      name: 'a commit signed by someone other than its author fails',
      facts: pullRequest({ commits: [commit('head', { signature: signedBy('carol') })] }),
      settings: on,
      outcome: 'non_compliant',
      seen: { separation_of_duties: `commit ${short(HEAD)} is signed by @carol, not by its author @alice` },
    },
    {
      name: 'a signature GitHub could not verify fails, naming its state',
      facts: pullRequest({ commits: [commit('head', { signature: { isValid: false, state: 'UNKNOWN_KEY', wasSignedByGitHub: false, signer: null } })] }),
      settings: on,
      outcome: 'non_compliant',
      seen: { separation_of_duties: 'has a signature GitHub could not verify (UNKNOWN_KEY)' },
    },
    { name: 'a commit GitHub signed passes', facts: pullRequest({ commits: [commit('head', { committer: WEB_FLOW, signature: SIGNED_BY_GITHUB })] }), settings: on, outcome: 'compliant' },
    { name: 'off by default: an unsigned commit passes', facts: pullRequest(), outcome: 'compliant' },
  ])('$name', judge);
});

describe('checks that count', () => {
  it.each<Case>([
    {
      name: "a status posted by the pull request's author does not satisfy a required check",
      facts: pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'alice' })] }),
      settings: { checks: { required: ['ci'] } },
      outcome: 'pending',
      rules: { checks: 'pending' },
      seen: { checks: '`ci` posted by a contributor (@alice): not counted' },
    },
    {
      name: 'at merge, a required check met only by a contributor status fails',
      facts: merged(pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'alice' })] })),
      settings: { checks: { required: ['ci'] } },
      outcome: 'non_compliant',
      rules: { checks: 'fail' },
      seen: { checks: 'merged while required `ci` not reported' },
    },
    {
      name: 'a status posted by a reviewer who pushed to the change does not count either',
      facts: pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'bob' })], pushes: [push('bob', HEAD)] }),
      settings: { checks: { required: ['ci'] } },
      outcome: 'pending',
      seen: { checks: '`ci` posted by a contributor (@bob): not counted' },
    },
    {
      name: 'a status by a non-contributor counts',
      facts: pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'jenkins-bot' })] }),
      settings: { checks: { required: ['ci'] } },
      outcome: 'compliant',
    },
    {
      name: 'a status by an account GitHub does not name does not count',
      facts: pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: null })] }),
      settings: { checks: { required: ['ci'] } },
      outcome: 'pending',
      seen: { checks: '`ci` posted by an account GitHub does not name: not counted' },
    },
    {
      name: "with every check required, a contributor's own status is not counted, and its context is unknown: it may hide an earlier failure",
      facts: pullRequest({ checks: [check('build', 'success'), check('deploy-preview', 'success', { source: 'status', reporter: 'alice' })] }),
      settings: { checks: { min_passing: 2 } },
      outcome: 'pending',
      seen: { checks: 'the result of `deploy-preview` cannot be established: its latest status was posted by a contributor (@alice)' },
    },
    {
      name: "at merge, a context whose latest status is a contributor's own (GitHub shows no earlier one) fails: the CI failure it replaced cannot be ruled out",
      facts: merged(pullRequest({ checks: [check('lint', 'success'), check('ci', 'success', { source: 'status', reporter: 'alice' })] })),
      outcome: 'non_compliant',
      rules: { checks: 'fail' },
      seen: { checks: 'merged while the result of `ci` cannot be established' },
    },
    {
      name: "where the history is known, a contributor's later success does not supersede the CI's failure",
      facts: pullRequest({ checks: [check('ci', 'failure', { source: 'status', reporter: 'ci-service', at: '2026-03-10T09:00:00Z' }), check('ci', 'success', { source: 'status', reporter: 'alice', at: '2026-03-10T09:05:00Z' })] }),
      outcome: 'pending',
      rules: { checks: 'pending' },
      seen: { checks: '`ci` posted by a contributor (@alice): not counted' },
    },
    {
      name: 'at merge, a check run that finished only after the merge still ran at the merge',
      facts: merged(pullRequest({ checks: [check('ci', 'success', { at: '2026-03-10T11:05:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'non_compliant',
      rules: { checks: 'fail' },
      seen: { checks: 'merged while `ci` still ran (it finished at 2026-03-10T11:05:00Z, after the merge at 2026-03-10T11:00:00Z)' },
    },
    {
      name: 'at merge, a status posted after the merge does not count: what stood at the merge is unknown',
      facts: merged(pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'ci-service', at: '2026-03-10T11:05:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      settings: { checks: { required: ['ci'] } },
      outcome: 'non_compliant',
      seen: { checks: '`ci` posted at 2026-03-10T11:05:00Z, after the merge at 2026-03-10T11:00:00Z: not counted' },
    },
    {
      name: 'at merge, a check run that finished before the merge counts',
      facts: merged(pullRequest({ checks: [check('ci', 'success', { at: '2026-03-10T10:55:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'compliant',
    },
    {
      name: 'a pinned check from the wrong app does not count',
      facts: pullRequest({ checks: [check('build', 'success', { reporter: 'my-own-app' })] }),
      settings: { checks: { required: [{ name: 'build', app: 'github-actions' }] } },
      outcome: 'pending',
      seen: { checks: '`build` from app my-own-app, not the source `build (check run by app github-actions)` requires: not counted' },
    },
    {
      name: 'a pinned check from its app counts',
      facts: pullRequest({ checks: [check('build', 'success', { reporter: 'github-actions' })] }),
      settings: { checks: { required: [{ name: 'build', app: 'GitHub-Actions' }] } },
      outcome: 'compliant',
    },
    {
      name: 'a status does not meet an entry pinned to an app',
      facts: pullRequest({ checks: [check('build', 'success', { source: 'status', reporter: 'jenkins-bot' })] }),
      settings: { checks: { required: [{ name: 'build', app: 'github-actions' }] } },
      outcome: 'pending',
      seen: { checks: 'from a status by @jenkins-bot, not the source' },
    },
    {
      name: 'a status by the pinned creator counts',
      facts: pullRequest({ checks: [check('ci/jenkins', 'success', { source: 'status', reporter: 'jenkins-bot' })] }),
      settings: { checks: { required: [{ name: 'ci/*', creator: 'jenkins-bot' }] } },
      outcome: 'compliant',
    },
    {
      name: 'a status by another account does not meet an entry pinned to a creator',
      facts: pullRequest({ checks: [check('ci/jenkins', 'success', { source: 'status', reporter: 'carol' })] }),
      settings: { checks: { required: [{ name: 'ci/jenkins', creator: 'jenkins-bot' }] } },
      outcome: 'pending',
      seen: { checks: 'not reported: `ci/jenkins (status by @jenkins-bot)`' },
    },
    {
      name: 'a pinned creator who contributed to the change does not count',
      facts: pullRequest({ checks: [check('ci/jenkins', 'success', { source: 'status', reporter: 'alice' })] }),
      settings: { checks: { required: [{ name: 'ci/jenkins', creator: 'alice' }] } },
      outcome: 'pending',
      seen: { checks: 'posted by a contributor (@alice): not counted' },
    },
    {
      name: 'a failing check from the pinned source still fails',
      facts: pullRequest({ checks: [check('build', 'failure', { reporter: 'github-actions' })] }),
      settings: { checks: { required: [{ name: 'build', app: 'github-actions' }] } },
      outcome: 'non_compliant',
    },
  ])('$name', judge);

  it('names every check set aside and why in the evidence', () => {
    const facts = pullRequest({ checks: [check('ci', 'success', { source: 'status', reporter: 'alice' }), check('build', 'success', { reporter: 'rogue' })] });
    const verdict = evaluate(policy({ checks: { required: ['ci', { name: 'build', app: 'github-actions' }] } }), facts, NOW);
    const evidence = verdict.rules.find((r) => r.rule === 'checks')!.evidence as ChecksEvidence;
    expect(evidence.ignored).toEqual([
      { name: 'ci', source: 'status', reporter: 'alice', why: 'posted by a contributor (@alice): not counted' },
      { name: 'build', source: 'check_run', reporter: 'rogue', why: 'from app rogue, not the source `build (check run by app github-actions)` requires: not counted' },
    ]);
    expect(evidence.missingRequired).toEqual(['ci', 'build (check run by app github-actions)']);
  });
});

describe('judged at merge, the review is what stood at the merge', () => {
  it.each<Case>([
    {
      name: 'an approval submitted after the merge does not count',
      facts: merged(pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T11:10:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'non_compliant',
      rules: { peer_review: 'fail' },
      seen: { peer_review: 'submitted 2026-03-10T11:10:00Z, after the merge at 2026-03-10T11:00:00Z' },
    },
    {
      name: 'an approval before the merge counts, whatever the same reviewer did after it',
      facts: merged(pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('bob', 'CHANGES_REQUESTED', { at: '2026-03-10T11:10:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'compliant',
      rules: { peer_review: 'pass', changes_requested: 'pass' },
    },
    {
      name: 'a request for changes made after the merge does not block it',
      facts: merged(pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' }), review('dave', 'CHANGES_REQUESTED', { at: '2026-03-10T11:10:00Z' })] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'compliant',
      rules: { changes_requested: 'pass' },
    },
  ])('$name', judge);
});

describe('a retargeted pull request, and labels added after the merge', () => {
  const retarget = { from: 'dev', to: 'main', actor: 'alice', at: '2026-03-10T10:30:00Z' };
  it.each<Case>([
    {
      name: 'an approval given before the base branch was changed does not count: it approved another change',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:00:00Z' })], baseChanges: [retarget] }),
      outcome: 'pending',
      rules: { peer_review: 'pending' },
      seen: { peer_review: 'approved before the base branch was changed from `dev` to `main` at 2026-03-10T10:30:00Z by @alice' },
    },
    {
      name: 'an approval given after the base branch was changed counts',
      facts: pullRequest({ reviews: [review('bob', 'APPROVED', { at: '2026-03-10T10:45:00Z' })], baseChanges: [retarget] }),
      outcome: 'compliant',
    },
    {
      name: 'merged unreviewed, then labelled emergency: not an emergency change',
      facts: merged(pullRequest({ reviews: [], labels: ['emergency'], labelEvents: [{ action: 'labeled', label: 'emergency', actor: 'alice', at: '2026-03-10T11:05:00Z' }] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'non_compliant',
      seen: { emergency: 'Labelled `emergency` at 2026-03-10T11:05:00Z by @alice, after the merge at 2026-03-10T11:00:00Z' },
    },
    {
      name: 'labelled emergency before the merge: an emergency change',
      facts: merged(pullRequest({ reviews: [], labels: ['emergency'], labelEvents: [{ action: 'labeled', label: 'emergency', actor: 'alice', at: '2026-03-10T10:55:00Z' }] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'emergency',
    },
    {
      name: 'the label removed before the merge and added back after it: not an emergency change',
      facts: merged(pullRequest({ reviews: [], labels: ['Emergency'], labelEvents: [
        { action: 'labeled', label: 'emergency', actor: 'alice', at: '2026-03-10T10:00:00Z' },
        { action: 'unlabeled', label: 'emergency', actor: 'carol', at: '2026-03-10T10:30:00Z' },
        { action: 'labeled', label: 'Emergency', actor: 'alice', at: '2026-03-10T11:05:00Z' },
      ] }), { at: '2026-03-10T11:00:00Z' }),
      outcome: 'non_compliant',
    },
    {
      name: 'facts recorded before label events were read: the labels as read decide, as they did',
      facts: merged(pullRequest({ reviews: [], labels: ['emergency'] })),
      outcome: 'emergency',
    },
  ])('$name', judge);
});

describe('a pusher who renames his account is still the same contributor', () => {
  const renamed = (id: number) => ({ ...review('bobby', 'APPROVED'), author: { login: 'bobby', type: 'User' as const, id } });
  it.each<Case>([
    {
      name: 'a push recorded as @bob, approved by @bobby — the same account id: not counted',
      facts: pullRequest({ reviews: [renamed(501)], pushes: [{ ...push('bob', HEAD), pusherId: 501 }] }),
      outcome: 'pending',
      seen: { peer_review: `@bobby (pushed ${short(HEAD)} at 2026-03-09T09:30:00Z (synchronize, as @bob (the same account, renamed since)))` },
    },
    {
      name: 'an account that now goes by the pusher\'s old login is, conservatively, still taken for the pusher',
      facts: pullRequest({ reviews: [{ ...review('bob', 'APPROVED'), author: { login: 'bob', type: 'User' as const, id: 777 } }], pushes: [{ ...push('bob', HEAD), pusherId: 501 }] }),
      outcome: 'pending',
    },
    {
      name: 'a push recorded before ids were kept: the login decides, as it did',
      facts: pullRequest({ reviews: [renamed(501)], pushes: [push('bob', HEAD)] }),
      outcome: 'compliant',
    },
  ])('$name', judge);
});

describe('scope.ignore_authors holds only while nobody else shaped the change', () => {
  const dependabot = () => ({
    author: user('dependabot[bot]'),
    commits: [commit('head', { author: person('dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com'), committer: WEB_FLOW, signature: SIGNED_BY_GITHUB, parents: [BASE] })],
    reviews: [],
  });
  const ignore = { scope: { ignore_authors: ['dependabot[bot]'] } };
  it.each<Case>([
    { name: "a bot's own pull request is recorded, not enforced", facts: pullRequest({ ...dependabot(), pushes: [push('dependabot[bot]', HEAD, { before: BASE })] }), settings: ignore, outcome: 'pending', enforced: false },
    {
      name: "a person who pushes to a bot's pull request brings it under the policy",
      facts: pullRequest({ ...dependabot(), pushes: [push('dependabot[bot]', sha('bot'), { before: BASE }), push('mallory', HEAD, { before: sha('bot') })] }),
      settings: ignore,
      outcome: 'pending',
      enforced: true,
      seen: { scope: `author @dependabot[bot] is in scope.ignore_authors, but @mallory (pushed ${short(HEAD)} at 2026-03-09T09:30:00Z (synchronize)) is not, so the policy applies` },
    },
    {
      name: "a commit nobody answers for brings a bot's pull request under the policy",
      facts: pullRequest({ ...dependabot(), commits: [commit('head', { author: GITHUB_AUTHOR, committer: WEB_FLOW })] }),
      settings: ignore,
      outcome: 'non_compliant',
      enforced: true,
      seen: { scope: '1 commit cannot be attributed to anyone, so the policy applies' },
    },
    {
      name: 'a co-author who is not ignored brings it under the policy',
      facts: pullRequest({ ...dependabot(), commits: [commit('head', { author: person('dependabot[bot]'), coAuthors: [person('mallory')], signature: SIGNED_BY_GITHUB })] }),
      settings: ignore,
      outcome: 'pending',
      enforced: true,
    },
  ])('$name', judge);
});
