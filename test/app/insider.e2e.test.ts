import { describe, expect, it } from 'vitest';
import type { ChangeRecord, EvaluationRecord, ExceptionRecord, HeadPushRecord, PolicyChangeRecord, PushRecord } from '../../src/core/records.js';
import type { PeerReviewEvidence } from '../../src/core/policy/verdict.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { replayVerdicts } from '../support/replay.js';
import { pullRequestPayload, pullRequestReviewPayload, pushPayload, statusPayload } from '../support/webhooks.js';

/**
 * The walk-arounds a hostile insider would try, each end to end through the
 * real app, signed webhooks and the simulated GitHub: the verdict and the
 * ledger entries show that none of them passes for reviewed, or vanishes.
 */

const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;
const GITHUB = { name: 'GitHub', email: 'noreply@github.com' };
const POLICY = '.github/changeproof.yml';

describe('what an insider cannot do', () => {
  it.each([
    ['authored and committed as GitHub <noreply@github.com>', GITHUB],
    ["authored and committed with the author's e-mail", 'alice'],
  ] as const)("a reviewer who adds a commit %s to someone else's pull request cannot approve it", async (_how, as) => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));

    // bob pushes a commit that names someone else, then approves the head.
    s.commit({ author: as, committer: as, message: 'Tidy up' }).check('ci', 'success');
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'bob' }));
    s.approvedBy('bob');
    const pr = s.pr();
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));

    const last = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    expect(last.verdict.outcome).toBe('pending');
    const review = last.verdict.rules.find((r) => r.rule === 'peer_review')!;
    const bob = (review.evidence as PeerReviewEvidence).reviewers.find((r) => r.login === 'bob')!;
    expect(bob).toMatchObject({ counts: false, notCountedBecause: [{ code: 'contributor', detail: expect.stringMatching(new RegExp(`^pushed ${pr.commits[1]!.slice(0, 7)} at \\S+Z \\(synchronize\\)`)) }] });
    expect(last.facts!.pushes).toEqual([
      expect.objectContaining({ source: 'opened', pusher: 'alice', after: pr.commits[0] }),
      expect.objectContaining({ source: 'synchronize', pusher: 'bob', before: pr.commits[0], after: pr.commits[1] }),
    ]);
    expect((await app.entries('head_push')).map((e) => [e.subject, data<HeadPushRecord>(e).source, data<HeadPushRecord>(e).pusher])).toEqual([
      ['pull/1', 'opened', 'alice'],
      ['pull/1', 'synchronize', 'bob'],
    ]);

    // Merged anyway: the change record says so, and an exception is open.
    s.merge({ by: 'bob' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION, sender: 'bob' }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    expect(data<ExceptionRecord>((await app.entries('exception'))[0])).toMatchObject({ type: 'merged_without_passing_control', actor: 'bob' });
    const checkRun = sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)').at(-1)!;
    expect(checkRun.output.summary).toContain(`@bob | pushed ${pr.commits[1]!.slice(0, 7)} at`);
    // Every verdict re-computes offline from its recorded snapshot, pushes included.
    expect(replayVerdicts(await app.entries())).toMatchObject({ replayed: 4, mismatches: [] });
  });

  it("a commit status the pull request's own author posts does not satisfy a required check", async () => {
    const s = acmeScenario().file(POLICY, 'checks:\n  required: [ci]\n').pullRequest({ author: 'alice' }).approvedBy('bob').status('ci', 'success', { creator: 'alice' });
    const { sim, app } = await env.start(s);
    const status = sim.world.repo('acme/api').statuses.at(-1)!;
    await app.deliverAndSettle('status', statusPayload(sim, 'acme/api', status.id, { installationId: INSTALLATION }));
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    expect(evaluation.verdict.outcome).toBe('pending');
    expect(evaluation.verdict.rules.find((r) => r.rule === 'checks')!.seen).toContain('`ci` posted by a contributor (@alice): not counted');

    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0]).verdict).toMatchObject({ outcome: 'non_compliant', rules: expect.arrayContaining([expect.objectContaining({ rule: 'checks', status: 'fail', short: 'merged while required `ci` not reported' })]) });
    expect(await app.entries('exception')).toHaveLength(1);
  });

  it("a person who pushes an unreviewed commit to Dependabot's pull request and merges it gets an exception", async () => {
    const s = acmeScenario()
      .user('mallory')
      .bot('dependabot')
      .file(POLICY, "scope:\n  ignore_authors: ['dependabot[bot]']\n")
      .pullRequest({ author: 'dependabot[bot]', commits: 0 })
      .commit({ author: 'dependabot[bot]', committer: GITHUB, signature: 'github' })
      .check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(data<EvaluationRecord>((await app.entries('evaluation'))[0]).verdict.enforced).toBe(false);

    s.commit({ author: 'mallory', message: 'Also open a port' }).check('ci', 'success');
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'mallory' }));
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    expect(evaluation.verdict).toMatchObject({ enforced: true, outcome: 'pending' });
    expect(evaluation.verdict.rules.find((r) => r.rule === 'scope')!.seen).toMatch(/is in scope.ignore_authors, but @mallory \(authored and committed \w{7} and pushed \w{7} at \S+ \(synchronize\)\) is not, so the policy applies/);

    s.merge({ by: 'mallory' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION, sender: 'mallory' }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { enforced: true, outcome: 'non_compliant' } });
    expect(data<ExceptionRecord>((await app.entries('exception'))[0])).toMatchObject({ type: 'merged_without_passing_control', actor: 'mallory' });
    expect(replayVerdicts(await app.entries())).toMatchObject({ replayed: 3, mismatches: [] });
  });

  it("_extends into another owner's repository is a config error, not a policy that takes every branch out of scope", async () => {
    const s = acmeScenario()
      .repo('someone-else/cfg', { private: false, files: { [POLICY]: 'scope:\n  branches: [no-branch-is-called-this]\n' } })
      .repo('acme/api')
      .file(POLICY, '_extends: someone-else/cfg\n')
      .pullRequest({ author: 'alice' })
      .check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation'))[0]);
    expect(evaluation.verdict).toMatchObject({ outcome: 'non_compliant', enforced: true });
    expect(evaluation.verdict.rules[0]).toMatchObject({ rule: 'policy', status: 'fail', seen: expect.stringContaining('`_extends`: _extends "someone-else/cfg" names someone-else/cfg:.github/changeproof.yml, which belongs to someone-else, not to acme') });
    expect(data<PolicyChangeRecord>((await app.entries('policy'))[0])).toMatchObject({ valid: false, files: [{ repository: 'acme/api', path: POLICY }] });
    expect(sim.requests.filter((r) => r.path.includes('someone-else'))).toEqual([]);

    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });

  it('a force-push that rewinds main to an earlier commit of a merged pull request is a direct-push exception naming what it removed', async () => {
    const s = acmeScenario().user('mallory');
    const repo = s.currentRepository();
    s.pullRequest({ author: 'alice', commits: 0 })
      .commit({ message: 'Add login (with a debug backdoor)', files: { 'src/login.ts': 'export const backdoor = true;\n' } })
      .commit({ message: 'Remove the debug backdoor', files: { 'src/login.ts': 'export const backdoor = false;\n' } })
      .approvedBy('bob')
      .check('ci', 'success')
      .merge({ by: 'carol' });
    const pr = s.pr();
    const merged = repo.branches.get('main')!;
    const withBackdoor = pr.commits[0]!;
    repo.branches.set('main', withBackdoor);
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: merged, after: withBackdoor, pusher: 'mallory', forced: true, installationId: INSTALLATION, pushedAt: '2026-03-02T10:30:00Z' }));

    const push = data<PushRecord>((await app.entries('push'))[0]);
    expect(push).toMatchObject({ before: merged, after: withBackdoor, forced: true, commits: [], unreviewed: [], comparison: 'behind', pushedAt: '2026-03-02T10:30:00Z' });
    expect(new Set(push.removed)).toEqual(new Set([merged, pr.commits[1]]));
    const exception = data<ExceptionRecord>((await app.entries('exception'))[0]);
    expect(exception).toMatchObject({ type: 'direct_push', subject: `push/${withBackdoor}`, actor: 'mallory', occurredAt: '2026-03-02T10:30:00Z' });
    expect(exception.reason).toContain('the branch was rewound (forced), removing 2 commits');
  });

  it("the original commits of a squashed pull request, pushed to main directly, are unreviewed", async () => {
    const s = acmeScenario().user('mallory');
    const repo = s.currentRepository();
    s.pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol', method: 'squash' });
    const pr = s.pr();
    const squashed = repo.branches.get('main')!;
    // mallory points main at the pull request's original commits and pushes it herself.
    repo.branches.set('main', pr.commits[1]!);
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: squashed, after: pr.commits[1]!, pusher: 'mallory', forced: true, installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push'))[0]);
    expect(push.unreviewed).toEqual(pr.commits);
    expect(push.commits.map((c) => c.introducedBy)).toEqual([null, null]);
    expect(await app.entries('exception')).toHaveLength(1);
  });

  it('squash and rebase merges pushed by GitHub are reviewed: no exception', async () => {
    const s = acmeScenario();
    const repo = s.currentRepository();
    const start = repo.branches.get('main')!;
    s.pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol', method: 'rebase' });
    const rebased = repo.branches.get('main')!;
    s.pullRequest({ author: 'alice', commits: 3 }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol', method: 'squash' });
    const squashed = repo.branches.get('main')!;
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: start, after: rebased, pusher: 'carol', installationId: INSTALLATION }));
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: rebased, after: squashed, pusher: 'carol', installationId: INSTALLATION }));
    const pushes = (await app.entries('push')).map((e) => data<PushRecord>(e));
    expect(pushes.map((p) => p.commits.map((c) => c.introducedBy?.number))).toEqual([[1, 1], [2]]);
    expect(await app.entries('exception')).toHaveLength(0);
  });

  it('a captured push delivery replayed under new delivery ids is recorded once', async () => {
    const s = acmeScenario().user('mallory');
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    s.file('src/hotfix.ts', 'export const fixed = true;\n', { author: 'mallory' });
    const after = repo.branches.get('main')!;
    const { sim, app } = await env.start(s);
    const payload = pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION });
    for (const deliveryId of ['original', 'replay-1', 'replay-2']) expect((await app.deliverAndSettle('push', payload, { deliveryId })).ok).toBe(true);
    expect(await app.entries('push')).toHaveLength(1);
    expect(await app.entries('exception')).toHaveLength(1);
    expect(await app.entries('head_push')).toHaveLength(1);
  });

  it('a merge delivery replayed under a new delivery id records nothing more', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
    const { sim, app } = await env.start(s);
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION });
    await app.deliverAndSettle('pull_request', payload, { deliveryId: 'merge' });
    await app.deliverAndSettle('pull_request', payload, { deliveryId: 'merge-replayed' });
    expect(await app.entries('change')).toHaveLength(1);
    expect(await app.entries('exception')).toHaveLength(1);
  });

  // Attack: a reviewer pushes a commit in the author's name to her pull request, renames his GitHub account, and approves under the new login; the recorded push names the old login.
  it('a pusher who renames his account before approving is still a contributor', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.commit({ author: 'alice', committer: 'alice', message: 'Tidy up', files: { 'src/login.ts': 'export const backdoor = true;\n' } }).check('ci', 'success');
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'bob' }));

    // bob renames his account to bobby (same account, same id) and approves the head.
    const world = sim.world;
    const bob = world.accounts.get('bob')!;
    world.accounts.delete('bob');
    world.accounts.set('bobby', { ...bob, login: 'bobby' });
    const repo = world.repo('acme/api');
    repo.writers.delete('bob');
    repo.writers.add('bobby');
    s.approvedBy('bobby');
    const pr = s.pr();
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    expect(evaluation.facts!.pushes).toContainEqual(expect.objectContaining({ source: 'synchronize', pusher: 'bob', pusherId: bob.id }));
    expect(evaluation.verdict.outcome).toBe('pending');

    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });
});

describe('the control design on record', () => {
  it('records the policy when first used and again only when its files change', async () => {
    const s = acmeScenario().file(POLICY, 'peer_review:\n  required_approvals: 1\n').pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION }));
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    s.file(POLICY, 'peer_review:\n  required_approvals: 2\n');
    await app.deliverAndSettle('push', { ...pushPayload(sim, 'acme/api', { before, after: repo.branches.get('main')!, pusher: 'carol', installationId: INSTALLATION }), commits: [{ id: repo.branches.get('main'), added: [], removed: [], modified: [POLICY] }] });
    const policies = await app.entries('policy');
    expect(policies.map((e) => data<PolicyChangeRecord>(e).settings?.peer_review.required_approvals)).toEqual([1, 2]);
    expect(data<PolicyChangeRecord>(policies[1])).toMatchObject({ previous: { seq: policies[0]!.seq, hash: policies[0]!.hash }, firstUsedBy: { subject: `push/${repo.branches.get('main')}`, trigger: { event: 'push' } } });
  });
});
