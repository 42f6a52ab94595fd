import { describe, expect, it } from 'vitest';
import type { ChangeRecord, ExceptionRecord, MergeGroupRecord, PushRecord } from '../../src/core/records.js';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, APP_ID, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, examplePayload, mergeGroupPayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';

const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;
const TOKEN_ROUTE = 'POST /app/installations/{installation_id}/access_tokens';

/** acme/api with a merge queue on main, and two pull requests: #1 by alice, #2 by carol, both approved by bob with CI green. */
function twoCompliant(method: 'merge' | 'squash' | 'rebase' = 'merge'): ScenarioBuilder {
  return acmeScenario()
    .mergeQueue({ method })
    .pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success')
    .pullRequest({ author: 'carol' }).approvedBy('bob').check('ci', 'success');
}

/** Our check runs on a commit. */
function ourRuns(sim: GitHubSimulator, sha: string) {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)' && r.headSha === sha);
}

/** Delivers `checks_requested` for the group the queue built for #`number`, and returns the check run shown and the group's record. */
async function checkGroup(sim: GitHubSimulator, app: RunningApp, s: ScenarioBuilder, number: number) {
  const entry = s.queueEntry(number);
  sim.resetRequests();
  const res = await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', number, { installationId: INSTALLATION }));
  expect(res.status).toBe(200);
  const cost = Object.fromEntries(Object.entries(sim.counts()).filter(([route]) => route !== TOKEN_ROUTE));
  const run = ourRuns(sim, entry.groupHeadSha).at(-1);
  const entries = await app.entries('merge_group');
  const last = entries.at(-1);
  return { run, record: last && last.subject === `merge_group/${entry.groupHeadSha}` ? data<MergeGroupRecord>(last) : undefined, entry: last, group: entry, cost };
}

describe('merge queues, end to end', () => {
  it('a group of two compliant pull requests: success on the group head, recorded, for 1 queue read + 1 read per pull request + 1 compare of the group + 1 check-run write', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'dave', number: 2 });
    const { sim, app } = await env.start(s);

    const { run, record, entry, group, cost } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ status: 'COMPLETED', conclusion: 'SUCCESS' });
    expect(run!.output.title).toBe('Compliant: all 2 pull requests of the group (#1, #2)');
    expect(run!.output.summary).toContain(`Ledger entry #${entry!.seq}`);
    expect(cost).toEqual({ 'POST /graphql': 3, 'GET /repos/{owner}/{repo}/compare/{basehead}': 1, 'POST /repos/{owner}/{repo}/check-runs': 1 });

    // The ledger entry: what was judged, from what, and the result.
    const pulls = sim.world.repo('acme/api').pulls;
    expect(entry).toMatchObject({ kind: 'merge_group', repo: 'acme/api', subject: `merge_group/${group.groupHeadSha}` });
    expect(record).toMatchObject({
      trigger: { event: 'merge_group', action: 'checks_requested', sender: 'dave' },
      baseRef: 'main',
      headRef: group.groupRef,
      baseSha: group.groupBaseSha,
      headSha: group.groupHeadSha,
      membership: { source: 'merge_queue', mergeMethod: 'MERGE' },
      conclusion: 'success',
      reason: null,
      policy: { valid: true, files: [] },
    });
    expect(record!.pullRequests.map((m) => [m.number, m.position, m.enqueuer, m.headSha, m.outcome, m.standing, m.failing])).toEqual([
      [1, 1, 'bob', pulls.get(1)!.commits.at(-1), 'compliant', 'passes', []],
      [2, 2, 'dave', pulls.get(2)!.commits.at(-1), 'compliant', 'passes', []],
    ]);
    expect(record!.pullRequests[0]!.facts?.reviews.map((r) => r.author?.login)).toEqual(['bob']);

    // The first group holds #1 alone.
    const first = await checkGroup(sim, app, s, 1);
    expect(first.run).toMatchObject({ conclusion: 'SUCCESS' });
    expect(first.record!.pullRequests.map((m) => m.number)).toEqual([1]);
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).ok).toBe(true);
  });

  it('an unreviewed pull request queued ahead of a reviewed one fails the reviewed one’s group too: the group holds both', async () => {
    const s = acmeScenario()
      .mergeQueue()
      .pullRequest({ author: 'mallory' }).check('ci', 'success')
      .pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'mallory', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    const { run, record } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ conclusion: 'FAILURE' });
    expect(run!.output.title).toBe('Not compliant: #1 (still pending: 0 of 1 approval)');
    expect(record!.pullRequests.map((m) => [m.number, m.standing])).toEqual([[1, 'fails'], [2, 'passes']]);
  });

  it('one non-compliant pull request: failure naming it and why, in its own check’s words; the compliant one is not named', async () => {
    const s = twoCompliant();
    s.review('erin', 'CHANGES_REQUESTED').check('lint', 'failure');
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    const { run, record } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ status: 'COMPLETED', conclusion: 'FAILURE' });
    expect(run!.output.title).toBe('Not compliant: #2 (changes requested by @erin; check `lint` (failure) failed)');
    expect(run!.output.title).not.toContain('#1');
    expect(run!.output.summary).toMatch(/\| ✅ \| \[#1\]\(https:\/\/github\.com\/acme\/api\/pull\/1\) Change 1 by @alice \|/);
    expect(run!.output.summary).toMatch(/\| ❌ \| \[#2\]\(https:\/\/github\.com\/acme\/api\/pull\/2\) Change 2 by @carol \|/);
    expect(run!.output.summary).toContain('Use **Re-run** on this check');
    const member = record!.pullRequests.find((m) => m.number === 2)!;
    expect(member).toMatchObject({ outcome: 'non_compliant', standing: 'fails', headline: 'Not compliant: changes requested by @erin (+1 more)' });
    expect(member.failing.map((f) => [f.name, f.short])).toEqual([['Changes requested', 'changes requested by @erin'], ['Checks', 'check `lint` (failure) failed']]);
    expect(run!.output.summary).toContain('Changes requested: changes requested by @erin; Checks: check `lint` (failure) failed');
    expect(record!.reason).toBe('not every pull request in the group is compliant: #2 (Not compliant: changes requested by @erin (+1 more))');
  });

  it('a pull request compliant when queued whose approval is dismissed before the checks are requested fails its group', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    expect((await checkGroup(sim, app, s, 2)).run).toMatchObject({ conclusion: 'SUCCESS' });

    // The queue rebuilds the group (e.g. after an entry ahead left) and asks again: judged now, not as queued.
    s.dismissReview('bob');
    const { run, record } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ conclusion: 'FAILURE' });
    expect(run!.output.title).toBe('Not compliant: #2 (still pending: 0 of 1 approval)');
    expect(record!.pullRequests.find((m) => m.number === 2)!.facts!.reviews.map((r) => r.state)).toEqual(['DISMISSED']);

    // An approval again, and "Re-run" on the group's check: the group is judged again, on the same commit.
    s.approvedBy('erin');
    const ours = ourRuns(sim, s.queueEntry(2).groupHeadSha).at(-1)!;
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ours.id, 'rerequested', { installationId: INSTALLATION }));
    expect(ourRuns(sim, s.queueEntry(2).groupHeadSha).at(-1)).toMatchObject({ conclusion: 'SUCCESS' });
    expect((await app.entries('merge_group')).map((e) => data<MergeGroupRecord>(e).conclusion)).toEqual(['success', 'failure', 'success']);
  });

  it('a pull request GitHub will not give: the group is not a success, and says why with a re-run hint', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    sim.faults.addField({ field: 'Repository.pullRequest', type: 'FORBIDDEN', message: 'Resource not accessible by integration' }, 1, { after: 1 });
    const { run, record } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ conclusion: 'FAILURE' });
    expect(run!.output.title).toBe('Evaluation error: #2 could not be evaluated. Re-run to retry');
    expect(run!.output.summary).toContain('Resource not accessible by integration');
    expect(record!.pullRequests.map((m) => [m.number, m.outcome])).toEqual([[1, 'compliant'], [2, 'error']]);
  });

  it('GitHub failing throughout: retried, then recorded as a failure, never a pass', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    sim.faults.add('POST /graphql', { kind: 'status', status: 502 }, 1_000, { after: 1 });
    const { run, record } = await checkGroup(sim, app, s, 2);
    expect(run).toMatchObject({ conclusion: 'FAILURE' });
    expect(record!.conclusion).toBe('failure');
    expect(await app.entries('merge_group')).toHaveLength(1); // the earlier attempts recorded nothing
  });

  it('with the queue unreadable, the group’s branch names its pull request — trusted only when the group’s commits hold it alone', async () => {
    const s = acmeScenario()
      .mergeQueue()
      .pullRequest({ author: 'mallory' }).check('ci', 'success')
      .pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice', number: 2 }).enqueue({ by: 'mallory', number: 1 });
    const { sim, app } = await env.start(s);
    const forbidden = { field: 'Repository.mergeQueue', type: 'FORBIDDEN', message: 'Resource not accessible by integration' };

    // #2's group, first in the queue: #2 alone, and its commits show it.
    sim.faults.addField(forbidden);
    const alone = await checkGroup(sim, app, s, 2);
    expect(alone.run).toMatchObject({ conclusion: 'SUCCESS' });
    expect(alone.record!.membership).toMatchObject({ source: 'head_ref' });
    expect(alone.record!.membership.detail).toContain('the merge queue could not be read');
    expect(alone.cost).toEqual({ 'POST /graphql': 2, 'GET /repos/{owner}/{repo}/compare/{basehead}': 1, 'POST /repos/{owner}/{repo}/check-runs': 1 });

    // #1's group rides on #2's: named alone by its branch, it would look like #1 only — but its commits say otherwise.
    s.approvedBy('bob'); // even approved, #1 cannot be shown to be all that the group holds
    sim.faults.addField(forbidden);
    const riding = await checkGroup(sim, app, s, 1);
    expect(riding.run).toMatchObject({ conclusion: 'FAILURE' });
    expect(riding.run!.output.title).toBe('Evaluation error: the pull requests of this merge group could not be established. Re-run to retry');
    expect(riding.record!.membership.source).toBeNull();
    expect(riding.record!.membership.detail).toMatch(/^the group's branch names #1, but besides the commits of #1, the group brings 3 commits/);
  });

  it('an emergency change in a group makes the group neutral, as its own check is — never a success', async () => {
    const s = twoCompliant().pullRequest({ author: 'alice', labels: ['emergency'] }).check('ci', 'success');
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 3 });
    const { sim, app } = await env.start(s);
    const { run, record } = await checkGroup(sim, app, s, 3);
    expect(run).toMatchObject({ conclusion: 'NEUTRAL' });
    expect(run!.output.title).toBe('#3: Emergency change: approval due within 48 h of merge');
    expect(record!.pullRequests.map((m) => m.standing)).toEqual(['passes', 'emergency']);

    // Merged through the queue, it is an emergency exception like any emergency merge.
    const { before, after } = s.mergeQueued();
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'github-merge-queue[bot]', installationId: INSTALLATION }));
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 3, 'closed', { installationId: INSTALLATION, sender: 'alice' }));
    expect((await app.entries('exception')).map((e) => data<ExceptionRecord>(e).type)).toEqual(['emergency_change']);
  });

  it('"Re-run all" on our suite of a group the app never saw (its delivery lost) judges the group its branch names', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    const group = s.queueEntry(2);
    const payload = examplePayload('check_suite', 'rerequested');
    payload['check_suite'] = { ...payload['check_suite'], head_sha: group.groupHeadSha, head_branch: group.groupRef, app: { id: APP_ID, slug: 'changeproof' }, pull_requests: [] };
    payload['repository'] = mergeGroupPayload(sim, 'acme/api', 2)['repository'];
    payload['installation'] = { id: INSTALLATION };
    await app.deliverAndSettle('check_suite', payload);
    expect(ourRuns(sim, group.groupHeadSha).at(-1)).toMatchObject({ conclusion: 'SUCCESS' });
    const record = data<MergeGroupRecord>((await app.entries('merge_group'))[0]);
    expect(record).toMatchObject({ trigger: { event: 'check_suite', action: 'rerequested' }, baseRef: 'main', headRef: group.groupRef, baseSha: null, membership: { source: 'merge_queue' } });
    expect(record.pullRequests.map((m) => m.number)).toEqual([1, 2]);
  });

  it('a pull request on a branch named like a queue’s is no merge group: "Re-run" judges it as the pull request it is', async () => {
    const s = acmeScenario().user('mallory').mergeQueue().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice' });
    // #1 is compliant and queued; mallory's unreviewed #2 sits on a branch that names #1's group.
    s.pullRequest({ author: 'mallory', headRef: `gh-readonly-queue/main/pr-1-${'f'.repeat(40)}` }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'opened', { installationId: INSTALLATION }));
    const head = s.headSha();
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ourRuns(sim, head).at(-1)!.id, 'rerequested', { installationId: INSTALLATION, sender: 'mallory' }));
    expect(await app.entries('merge_group')).toEqual([]);
    expect(ourRuns(sim, head).map((r) => [r.status, r.output.title])).toEqual([['IN_PROGRESS', 'Pending: 0 of 1 approval']]);
    expect(await app.entries('evaluation')).toHaveLength(2);
  });

  it('destroyed needs nothing; CI finishing on a group’s commit asks GitHub nothing (no pull request has it as head)', async () => {
    const s = twoCompliant();
    s.enqueue({ by: 'bob', number: 1 });
    const { sim, app } = await env.start(s);
    sim.resetRequests();
    const res = await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { action: 'destroyed', reason: 'dequeued', installationId: INSTALLATION }));
    expect(res.status).toBe(200);
    s.check('ci', 'success', { sha: s.queueEntry(1).groupHeadSha });
    const ci = sim.world.repo('acme/api').checkRuns.at(-1)!;
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ci.id, 'completed', { installationId: INSTALLATION }));
    expect(await app.entries()).toEqual([]);
    expect(sim.count()).toBe(0);
  });

  it('the queue’s own branches are no direct pushes, even with every branch in scope: only who pushed is recorded', async () => {
    const s = twoCompliant().file('.github/changeproof.yml', "scope:\n  branches: ['**']\n");
    s.enqueue({ by: 'bob', number: 1 });
    const { sim, app } = await env.start(s);
    const group = s.queueEntry(1);
    const created = pushPayload(sim, 'acme/api', { before: '0'.repeat(40), after: group.groupHeadSha, created: true, ref: `refs/heads/${group.groupRef}`, pusher: 'github-merge-queue[bot]', installationId: INSTALLATION });
    await app.deliverAndSettle('push', created);
    expect((await app.entries()).map((e) => [e.kind, e.subject])).toEqual([['head_push', `branch/${group.groupRef}`], ['policy', 'policy']]);
    // Control: any other new branch in scope is examined.
    const feature = pushPayload(sim, 'acme/api', { before: '0'.repeat(40), after: sim.world.repo('acme/api').pulls.get(1)!.commits.at(-1)!, created: true, ref: 'refs/heads/feature-1', pusher: 'alice', installationId: INSTALLATION });
    await app.deliverAndSettle('push', feature);
    expect((await app.entries('push')).map((e) => e.subject)).toEqual([`push/${feature['after']}`]);
  });

  it.each([
    { method: 'merge' as const, order: 'closed, then push' },
    { method: 'merge' as const, order: 'push, then closed' },
    { method: 'squash' as const, order: 'push, then closed' },
    { method: 'rebase' as const, order: 'closed, then push' },
  ])('merged through the queue ($method; $order): a change record for each, merged by its enqueuer; the queue’s push is no direct push', async ({ method, order }) => {
    const s = twoCompliant(method);
    s.enqueue({ by: 'bob', number: 1 }).enqueue({ by: 'dave', number: 2 });
    const madeFor = new Map([1, 2].flatMap((n) => s.queueEntry(n).made.map((sha) => [sha, n] as const)));
    const { before, after } = s.mergeQueued();
    const { sim, app } = await env.start(s);
    const push = () => app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'github-merge-queue[bot]', installationId: INSTALLATION }));
    const closed = async () => {
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION, sender: 'bob' }));
      await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION, sender: 'dave' }));
    };
    if (order.startsWith('push')) await push().then(closed);
    else await closed().then(push);

    const pulls = sim.world.repo('acme/api').pulls;
    const changes = (await app.entries('change')).map((e) => data<ChangeRecord>(e));
    expect(changes.map((c) => [c.verdict.subject.number, c.mergedBy, c.mergeCommitSha, c.verdict.outcome, c.exception])).toEqual([
      [1, 'bob', pulls.get(1)!.mergeCommitSha, 'compliant', false],
      [2, 'dave', pulls.get(2)!.mergeCommitSha, 'compliant', false],
    ]);
    expect(after).toBe(pulls.get(2)!.mergeCommitSha);
    const record = data<PushRecord>((await app.entries('push'))[0]);
    expect(record).toMatchObject({ before, after, forced: false, comparison: 'ahead', unreviewed: [], gap: null, sender: 'github-merge-queue[bot]' });
    // Every commit the queue made is its pull request's; a true merge also brings the pull request's own commits.
    const expected = new Map(madeFor);
    if (method === 'merge') for (const n of [1, 2]) for (const sha of pulls.get(n)!.commits) expected.set(sha, n);
    expect(new Map(record.commits.map((c) => [c.sha, c.introducedBy?.number ?? null]))).toEqual(expected);
    expect(await app.entries('exception')).toEqual([]);
  });
});
