import { describe, expect, it } from 'vitest';
import type { ChangeRecord, EvaluationRecord, ExceptionRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { pullRequestPayload, pullRequestReviewPayload, statusPayload } from '../support/webhooks.js';

/**
 * Walk-arounds that once got an unreviewed change recorded as compliant, each
 * against the app through signed webhooks and the simulator: a merge is judged
 * as it stood at the merge (its reviews, its checks, the policy in force
 * before it), and a contributor's own status cannot erase a CI failure.
 */

const env = useApp();
const POLICY = '.github/changeproof.yml';
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

describe('an insider cannot make a merge look reviewed after the fact', () => {
  // Attack: the author posts a passing commit status with the same context as CI's failing one, so the failure is "superseded" and then the author's own status is set aside, erasing the failure.
  it("an author's own status named like a failing CI status does not hide the failure", async () => {
    const s = acmeScenario()
      .pullRequest({ author: 'alice' })
      .approvedBy('bob')
      .check('lint', 'success')
      .status('ci', 'failure', { creator: 'ci-service' })
      .status('ci', 'success', { creator: 'alice' });
    const { sim, app } = await env.start(s);
    const status = sim.world.repo('acme/api').statuses.at(-1)!;
    await app.deliverAndSettle('status', statusPayload(sim, 'acme/api', status.id, { installationId: INSTALLATION }));
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    // GitHub shows only the latest status of a context: CI's failure cannot be seen, so `ci` is unknown, never passed.
    const checks = evaluation.verdict.rules.find((r) => r.rule === 'checks')!;
    expect(checks.status).toBe('pending');
    expect(checks.short).toMatch(/^the result of `ci` cannot be established: its latest status was posted by a contributor \(@alice\)/);
    expect(evaluation.verdict.outcome).toBe('pending');

    s.merge({ by: 'bob' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION, sender: 'bob' }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });

  // Attack: a pull request that lowers required_approvals in .github/changeproof.yml, merged unreviewed past branch protection, is judged at merge by the policy it introduced.
  it('a pull request that weakens the policy is judged at merge by the policy in force before it, not by its own', async () => {
    const s = acmeScenario()
      .pullRequest({ author: 'alice', commits: 0 })
      .commit({ message: 'Relax review; add debug login', files: { [POLICY]: 'peer_review:\n  required_approvals: 0\n', 'src/login.ts': 'export const backdoor = true;\n' } })
      .check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('pending');

    // alice merges it herself, unreviewed (an admin bypass of branch protection).
    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect.soft(change.policy).toMatchObject({ valid: true, files: [] });
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    expect(await app.entries('exception')).toHaveLength(1);
  });

  // The same, merged by squash and by rebase: the policy is read where the base branch stood before the merge.
  it.each(['squash', 'rebase'] as const)('a pull request that weakens the policy, merged by %s, is judged by the policy in force before it', async (method) => {
    const s = acmeScenario()
      .file(POLICY, 'peer_review:\n  required_approvals: 1\n')
      .pullRequest({ author: 'alice', commits: 0 })
      .commit({ message: 'Relax review', files: { [POLICY]: 'peer_review:\n  required_approvals: 0\n' } })
      .commit({ message: 'Add debug login', files: { 'src/login.ts': 'export const backdoor = true;\n' } })
      .check('ci', 'success');
    const { sim, app } = await env.start(s);
    s.merge({ by: 'alice', method });
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    const [file] = change.policy!.files;
    expect(file).toMatchObject({ path: POLICY });
    expect(file!.commitSha).not.toBe(sim.world.repo('acme/api').branches.get('main'));
    // A squash needs nothing more than the one query; a rebase one read of the base before the merge and one of the file there.
    if (method === 'squash') expect(sim.count('POST /graphql')).toBe(1);
    else expect(sim.counts()).toMatchObject({ 'POST /graphql': 3, 'GET /repos/{owner}/{repo}/contents/{path}': 1 });
  });

  // Attack: merge unreviewed (admin bypass), then have a colleague approve the merged pull request before the app judges the merge; the approval after the merge is counted as review at merge.
  // Attack: merge unreviewed into a release branch (in scope) whose own copy of the policy file is relaxed.
  it('a merge into another branch in scope is judged by the default branch\'s policy, never by the target branch\'s copy', async () => {
    const s = acmeScenario().file(POLICY, "scope:\n  branches: ['default', 'release/*']\npeer_review:\n  required_approvals: 1\n");
    const repo = s.currentRepository();
    repo.branches.set('release/1', repo.branches.get('main')!);
    s.file(POLICY, 'peer_review:\n  required_approvals: 0\n', { branch: 'release/1', author: 'alice' });
    s.pullRequest({ author: 'alice' }).changeBase('release/1').check('ci', 'success');
    const { sim, app } = await env.start(s);
    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant', enforced: true } });
    expect(change.policy!.files[0]).toMatchObject({ path: POLICY, ref: 'main' });
  });

  it('an approval submitted after the merge does not make the merge compliant', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('pending');

    s.merge({ by: 'alice' });
    s.approvedBy('bob');
    const pr = s.pr();
    expect(Date.parse(pr.reviews.at(-1)!.submittedAt!)).toBeGreaterThan(Date.parse(pr.mergedAt!));
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    expect(await app.entries('exception')).toHaveLength(1);
  });

  // Attack: merge while the required CI is still running (admin bypass); the check finishes green before the app judges the merge, and "at merge nothing is pending" is judged on post-merge results.
  it('a check that completes only after the merge does not count as passed at merge', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'in_progress');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('pending');

    s.merge({ by: 'alice' });
    s.check('ci', 'success');
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });
  // Attack: get an innocent commit approved on a pull request into an unprotected branch that already holds an unreviewed backdoor, then retarget the pull request to main.
  it('an approval given while the pull request targeted another branch does not count after it is retargeted to main', async () => {
    const s = acmeScenario();
    const repo = s.currentRepository();
    repo.branches.set('dev', repo.branches.get('main')!);
    s.file('src/login.ts', 'export const backdoor = true;\n', { branch: 'dev', author: 'alice' });
    const backdoor = repo.branches.get('dev')!;
    s.pullRequest({ author: 'alice', commits: 0 });
    const pr = s.pr();
    Object.assign(pr, { baseRef: 'dev', baseSha: backdoor });
    repo.branches.set(pr.headRef, backdoor);
    s.commit({ message: 'Fix a typo', files: { 'README.md': '# api (typo fixed)\n' } }).check('ci', 'success').approvedBy('bob');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    // Out of scope (base dev): not recorded.
    expect(await app.entries('evaluation')).toHaveLength(0);

    // alice changes the base to main: the pull request now carries the backdoor too.
    s.world.tick(5);
    s.changeBase('main', { by: 'alice' });
    const edited = pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION });
    edited['changes'] = { base: { ref: { from: 'dev' }, sha: { from: backdoor } } };
    await app.deliverAndSettle('pull_request', edited);
    const evaluation = data<EvaluationRecord>((await app.entries('evaluation')).at(-1));
    expect(evaluation.verdict.enforced).toBe(true);
    expect(evaluation.facts!.commits.map((c) => c.sha)).toContain(backdoor);
    expect.soft(evaluation.verdict.outcome).toBe('pending');

    s.merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });
  // Attack: merge unreviewed without the emergency label (admin bypass), then add the label to the merged pull request before the app judges the merge, turning "merged without passing control" into a resolvable emergency change.
  it('an emergency label added after the merge does not make it an emergency change', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.merge({ by: 'alice' });
    // GitHub sends the merge's delivery as the pull request stood when it merged.
    const closed = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION });
    s.world.tick(5);
    s.label('emergency');
    await app.deliverAndSettle('pull_request', closed);
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    expect(data<ExceptionRecord>((await app.entries('exception'))[0])).toMatchObject({ type: 'merged_without_passing_control' });
  });
});
