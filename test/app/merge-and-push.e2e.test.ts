import { describe, expect, it } from 'vitest';
import type { ChangeRecord, ExceptionRecord, ExceptionResolvedRecord, HeadPushRecord, PushRecord } from '../../src/core/records.js';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { pullRequestPayload, pullRequestReviewPayload, pushPayload } from '../support/webhooks.js';

const env = useApp();
const base = () => acmeScenario().user('mallory');
const start = env.start;

const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

describe('merges, exceptions and direct pushes, end to end', () => {
  it('a compliant merge becomes a change record and no exception; the check run shows the recorded verdict', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    const { sim, app } = await start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const [change] = await app.entries('change');
    const record = data<ChangeRecord>(change);
    expect(change).toMatchObject({ repo: 'acme/api', subject: 'pull/1' });
    expect(record).toMatchObject({ mergedBy: 'carol', exception: false, mergeCommitSha: sim.world.repo('acme/api').pulls.get(1)!.mergeCommitSha });
    expect(record.verdict).toMatchObject({ outcome: 'compliant', stage: 'merge' });
    expect(await app.entries('exception')).toHaveLength(0);
    const run = sim.world.repo('acme/api').checkRuns.find((r) => r.name === 'Change control (CC8.1)')!;
    expect(run.conclusion).toBe('SUCCESS');
    expect(run.output.summary).toContain(`Ledger entry #${change!.seq}`);
  });

  it('merging a failing pull request (an admin bypass) opens an exception', async () => {
    const s = base().pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
    const { sim, app } = await start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    const [exception] = await app.entries('exception');
    expect(data<ExceptionRecord>(exception)).toMatchObject({ type: 'merged_without_passing_control', subject: 'pull/1', outcome: 'non_compliant', actor: 'alice' });
    expect(data<ExceptionRecord>(exception).reason).toMatch(/^Merged by @alice at \S+Z while not compliant: peer review: merged with 0 of 1 approval; checks: check `ci` \(failure\) failed\.$/);
  });

  it('a closed, unmerged pull request records nothing', async () => {
    const s = base().pullRequest({ author: 'alice' });
    const { sim, app } = await start(s);
    const payload = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION });
    await app.deliverAndSettle('pull_request', payload);
    expect(await app.entries()).toHaveLength(0);
  });

  it('an emergency merged without review opens an exception that a late approval resolves as late', async () => {
    const s = base().pullRequest({ author: 'alice', labels: ['emergency'] }).check('ci', 'success').merge({ by: 'alice' });
    const { sim, app } = await start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const pr = sim.world.repo('acme/api').pulls.get(1)!;
    const [exception] = await app.entries('exception');
    expect(data<ExceptionRecord>(exception)).toMatchObject({ type: 'emergency_change', outcome: 'emergency' });
    const deadline = data<ExceptionRecord>(exception).deadline!;
    expect(Date.parse(deadline) - Date.parse(pr.mergedAt!)).toBe(48 * 3600_000);
    expect(sim.world.repo('acme/api').checkRuns.find((r) => r.name === 'Change control (CC8.1)')!.output.title).toBe(`Emergency change: retrospective approval due by ${deadline}`);

    // A review that is not an approval changes nothing.
    s.review('carol', 'COMMENTED');
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));
    expect(await app.entries('exception_resolved')).toHaveLength(0);

    // Three days later bob approves: resolved, but late.
    sim.world.tick(72 * 60);
    s.approvedBy('bob');
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));
    const [resolved] = await app.entries('exception_resolved');
    expect(data<ExceptionResolvedRecord>(resolved)).toMatchObject({ resolution: 'resolved_late', exceptionSeq: exception!.seq, exceptionHash: exception!.hash, approval: { login: 'bob' }, deadline });

    // A second approval does not resolve it again.
    s.approvedBy('carol');
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));
    expect(await app.entries('exception_resolved')).toHaveLength(1);
  });

  it('an approval within the window resolves the emergency on time', async () => {
    const s = base().pullRequest({ author: 'alice', labels: ['emergency'] }).check('ci', 'success').merge({ by: 'alice' });
    const { sim, app } = await start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    s.approvedBy('bob');
    const pr = sim.world.repo('acme/api').pulls.get(1)!;
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews.at(-1)!.id, { installationId: INSTALLATION }));
    expect(data<ExceptionResolvedRecord>((await app.entries('exception_resolved'))[0]).resolution).toBe('resolved');
  });

  it('a direct push to the default branch is an exception naming the pusher and the unreviewed commits', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    s.file('src/hotfix.ts', 'export const fixed = true;\n', { author: 'mallory' });
    const after = repo.branches.get('main')!;
    const { sim, app } = await start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', forced: false, installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push'))[0]);
    expect(push).toMatchObject({ ref: 'refs/heads/main', before, after, forced: false, unreviewed: [after], sender: 'mallory', gap: null });
    const exception = data<ExceptionRecord>((await app.entries('exception'))[0]);
    expect(exception).toMatchObject({ type: 'direct_push', subject: `push/${after}`, actor: 'mallory' });
    expect(exception.reason).toContain(`1 commit reached main without a merged pull request: ${after.slice(0, 7)}`);
  });

  it('the push of a merged pull request is recorded without an exception', async () => {
    const s = base();
    const before = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    const after = s.currentRepository().branches.get('main')!;
    const { sim, app } = await start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'carol', installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push'))[0]);
    expect(push.commits).toHaveLength(3);
    expect(push.commits.every((c) => c.introducedBy?.number === 1)).toBe(true);
    expect(push.unreviewed).toEqual([]);
    expect(await app.entries('exception')).toHaveLength(0);
  });

  it('a push to a branch outside the scope is no push record and no exception, only the fact of who pushed', async () => {
    const s = base().pullRequest({ author: 'alice' });
    const repo = s.currentRepository();
    const head = repo.branches.get('feature-1')!;
    const { sim, app } = await start(s);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: repo.branches.get('main')!, after: head, pusher: 'alice', ref: 'refs/heads/feature-1', installationId: INSTALLATION }));
    expect((await app.entries()).map((e) => [e.kind, e.subject])).toEqual([['head_push', 'branch/feature-1'], ['policy', 'policy']]);
    expect(data<HeadPushRecord>((await app.entries('head_push'))[0])).toMatchObject({ source: 'push', ref: 'feature-1', pusher: 'alice', after: head, timeSource: 'github' });
  });

  it('a policy change on the default branch re-evaluates the open pull requests', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const repo = s.currentRepository();
    const { sim, app } = await start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(sim.world.repo('acme/api').checkRuns.find((r) => r.name === 'Change control (CC8.1)')!.conclusion).toBe('SUCCESS');

    const before = repo.branches.get('main')!;
    s.file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 2\n', { author: 'carol' });
    const after = repo.branches.get('main')!;
    const payload = pushPayload(sim, 'acme/api', { before, after, pusher: 'carol', installationId: INSTALLATION });
    payload['commits'][0]['modified'] = ['.github/changeproof.yml'];
    await app.deliverAndSettle('push', payload);
    // GitHub does not reopen a completed run (it would keep its success): the pending verdict is a new
    // run on the same commit, which GitHub shows as the check's latest.
    const run = sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)').at(-1)!;
    expect(run).toMatchObject({ status: 'IN_PROGRESS', conclusion: null });
    expect(run.output.title).toBe('Pending: 1 of 2 approvals');
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).ok).toBe(true);
  });
});
