import { describe, expect, it } from 'vitest';
import type { MergeGroupRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, mergeGroupPayload } from '../support/webhooks.js';

/**
 * A merge group is judged on what it holds: the queue's entries, each at the head
 * the group merged, and nothing else. Each case tampers with the queue or the group
 * (a stale group re-run, a pull request pushed to or retargeted while queued, a
 * commit slipped into the group) and must never end in a success.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

function ourRuns(sim: GitHubSimulator, sha: string) {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)' && r.headSha === sha);
}

async function groupRecords(app: RunningApp, sha: string): Promise<MergeGroupRecord[]> {
  return (await app.entries('merge_group')).filter((e) => e.subject === `merge_group/${sha}`).map((e) => data<MergeGroupRecord>(e));
}

/** #1 by mallory, never reviewed (a file `src/backdoor.ts`); #2 by alice, approved by bob. Both green. */
function unreviewedAhead(): ScenarioBuilder {
  return acmeScenario()
    .user('mallory')
    .mergeQueue()
    .pullRequest({ author: 'mallory' })
    .commit({ files: { 'src/backdoor.ts': 'export const open = true;\n' } })
    .check('ci', 'success')
    .pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
}

describe('merge groups judged against what they hold', () => {
  it('a stale group that still holds an unreviewed pull request is never shown as a success after that pull request left the queue (Re-run on the old group)', async () => {
    const s = unreviewedAhead();
    s.enqueue({ by: 'mallory', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const { sim, app } = await env.start(s);
    const repo = sim.world.repo('acme/api');
    const old = { ...s.queueEntry(2) };
    // The old group holds #1's commit (the backdoor) and #2.
    expect(repo.commits.get(old.groupHeadSha)!.files.has('src/backdoor.ts')).toBe(true);

    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 2, { installationId: INSTALLATION }));
    expect(ourRuns(sim, old.groupHeadSha).at(-1)).toMatchObject({ conclusion: 'FAILURE' });

    // #1 leaves the queue; GitHub rebuilds #2's group on main alone.
    const queue = repo.mergeQueues!.get('main')!;
    queue.entries.splice(0, 1);
    const main = repo.branches.get('main')!;
    const pr2Head = repo.pulls.get(2)!.commits.at(-1)!;
    const person = { name: 'GitHub', email: 'noreply@github.com', date: sim.world.tick() };
    const rebuilt = s.makeCommit(repo, [main, pr2Head], 'Merge pull request #2', person, person, Object.fromEntries(repo.commits.get(pr2Head)!.files));
    Object.assign(queue.entries[0]!, { groupHeadSha: rebuilt, groupBaseSha: main, groupRef: `gh-readonly-queue/main/pr-2-${main}` });
    repo.branches.set(queue.entries[0]!.groupRef, rebuilt);

    // mallory presses "Re-run" on the failed check of the old group.
    const failed = ourRuns(sim, old.groupHeadSha).at(-1)!;
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', failed.id, 'rerequested', { installationId: INSTALLATION, sender: 'mallory' }));

    const records = await groupRecords(app, old.groupHeadSha);
    // Expected: the old group's commit still holds #1 unreviewed → never a success.
    expect(records.at(-1)!.conclusion).toBe('failure');
    expect(records.at(-1)!.membership.detail).toMatch(/^the group's branch names #2, but besides the commits of #2, the group brings \d+ commits/);
    expect(records.at(-1)!.membership.detail).toMatch(/the merge queue now builds #2 in the group [0-9a-f]{7}, not in this one/);
    expect(ourRuns(sim, old.groupHeadSha).at(-1)!.conclusion).toBe('FAILURE');
  });

  it('a group whose entry is still listed but whose pull request moved to a new (approved) head is judged on the head the group merged, not the new one', async () => {
    const s = acmeScenario().user('mallory').mergeQueue()
      .pullRequest({ author: 'mallory' })
      .commit({ files: { 'src/backdoor.ts': 'export const open = true;\n' } })
      .check('ci', 'success');
    s.enqueue({ by: 'mallory', number: 1 });
    const { sim, app } = await env.start(s);
    const group = { ...s.queueEntry(1) };
    // After the group was built: mallory pushes a commit removing the backdoor; bob approves that head.
    s.commit({ files: { 'src/backdoor.ts': '' } }).check('ci', 'success').approvedBy('bob');
    expect(sim.world.repo('acme/api').commits.get(group.groupHeadSha)!.files.get('src/backdoor.ts')).toBe('export const open = true;\n');

    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    const record = (await groupRecords(app, group.groupHeadSha)).at(-1)!;
    // The group merges the old, unreviewed head; the member was judged on the new one.
    expect(record.conclusion).toBe('failure');
    expect(record.reason).toMatch(/^the pull requests of this merge group could not be established: the merge queue lists #1, but the group merges [0-9a-f]{7} for #1, not its head as judged now, [0-9a-f]{7}$/);
  });

  it('a group commit carrying a commit that belongs to no pull request is not a success, even when the queue is readable', async () => {
    const s = acmeScenario().user('mallory').mergeQueue()
      .pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice', number: 1 });
    const { sim, app } = await env.start(s);
    const repo = sim.world.repo('acme/api');
    const entry = s.queueEntry(1);
    const mallory = { name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() };
    const extra = s.makeCommit(repo, [entry.groupHeadSha], 'sneak', mallory, mallory, { 'src/backdoor.ts': 'export const open = true;\n' });
    entry.groupHeadSha = extra;
    repo.branches.set(entry.groupRef, extra);

    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    const record = (await groupRecords(app, extra)).at(-1)!;
    expect(record.conclusion).toBe('failure');
    expect(record.reason).toMatch(/the merge queue lists #1, but the group brings 2 commits of its own \([0-9a-f]{7}, [0-9a-f]{7}\) besides the commits of its pull requests/);
  });

  it('a queued pull request retargeted to a branch outside the policy does not make a main group neutral (passing) while it still rides in it', async () => {
    const s = unreviewedAhead();
    s.enqueue({ by: 'mallory', number: 1 }).enqueue({ by: 'alice', number: 2 });
    const repo = s.currentRepository();
    repo.branches.set('sandbox', repo.branches.get('main')!);
    const { sim, app } = await env.start(s);
    // mallory retargets #1 (still in main's queue, its content in #2's group) to `sandbox`, outside scope.branches [default].
    const pr1 = repo.pulls.get(1)!;
    Object.assign(pr1, { baseRef: 'sandbox' });
    const group = s.queueEntry(2);
    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 2, { installationId: INSTALLATION }));
    const run = ourRuns(sim, group.groupHeadSha).at(-1);
    expect(run?.conclusion).toBe('FAILURE');
    expect((await groupRecords(app, group.groupHeadSha)).at(-1)!.reason).toMatch(/#1 targets `sandbox`, not `main`, the branch this group merges into$/);
  });

  it('a main group whose only pull request was retargeted outside the policy is still answered in the ledger and on the group', async () => {
    const s = acmeScenario().user('mallory').mergeQueue().pullRequest({ author: 'mallory' }).check('ci', 'success');
    s.enqueue({ by: 'mallory', number: 1 });
    const repo = s.currentRepository();
    repo.branches.set('sandbox', repo.branches.get('main')!);
    const { sim, app } = await env.start(s);
    s.changeBase('sandbox', { by: 'mallory' });
    const group = s.queueEntry(1);
    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    expect(await groupRecords(app, group.groupHeadSha)).toHaveLength(1);
    expect(ourRuns(sim, group.groupHeadSha).at(-1)?.conclusion).toBe('FAILURE');
  });
});

describe('merge groups an insider tampers with, through the queue or around it', () => {
  it('the queue unreadable on every attempt (502): failure, never a pass', async () => {
    const s = acmeScenario().mergeQueue().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice', number: 1 });
    const { sim, app } = await env.start(s);
    sim.faults.add('POST /graphql', { kind: 'status', status: 502 }, 1_000);
    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    const group = s.queueEntry(1);
    expect((await groupRecords(app, group.groupHeadSha)).at(-1)!.conclusion).toBe('failure');
  });

  it('queue FORBIDDEN, squash method, group head names the PR: content not checked beyond the parent — an extra commit on top is caught', async () => {
    const s = acmeScenario().user('mallory').mergeQueue({ method: 'squash' }).pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice', number: 1 });
    const { sim, app } = await env.start(s);
    const repo = sim.world.repo('acme/api');
    const entry = s.queueEntry(1);
    const mallory = { name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() };
    entry.groupHeadSha = s.makeCommit(repo, [entry.groupHeadSha], 'sneak', mallory, mallory, { 'src/backdoor.ts': 'x' });
    sim.faults.addField({ field: 'Repository.mergeQueue', type: 'FORBIDDEN', message: 'Resource not accessible by integration' }, 10);
    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    expect((await groupRecords(app, entry.groupHeadSha)).at(-1)!.conclusion).toBe('failure');
  });

  it('a pull request pushed (unapproved) after queueing fails its group: judged now', async () => {
    const s = acmeScenario().mergeQueue().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.enqueue({ by: 'alice', number: 1 });
    const { sim, app } = await env.start(s);
    s.commit().check('ci', 'success');
    await app.deliverAndSettle('merge_group', mergeGroupPayload(sim, 'acme/api', 1, { installationId: INSTALLATION }));
    expect((await groupRecords(app, s.queueEntry(1).groupHeadSha)).at(-1)!.conclusion).toBe('failure');
  });
});
