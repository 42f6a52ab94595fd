import { describe, expect, it } from 'vitest';
import type { ChangeRecord, EvaluationRecord, ExceptionRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import { pullRequestPayload } from '../support/webhooks.js';

/**
 * Edits made between a merge and the moment it is judged: a label renamed to
 * the emergency label, a ticket added to the title, CODEOWNERS changed on the
 * base branch. Each once changed how the merge was recorded; the merge is
 * judged on its own delivery and on the base branch as it stood.
 */

const env = useApp();
const POLICY = '.github/changeproof.yml';
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

/**
 * GitHub's "Edit label" renames a label in place: every pull request carrying
 * it, and every LabeledEvent of the timeline (whose `label` is the Label
 * object, not a copy of its name), shows the new name from then on.
 */
function renameLabel(s: ScenarioBuilder, from: string, to: string): void {
  for (const pr of s.currentRepository().pulls.values()) {
    pr.labels = pr.labels.map((l) => (l === from ? to : l));
    for (const e of pr.timeline ?? []) if ('label' in e && e.label === from) (e as { label: string }).label = to;
  }
}

describe('edits after the merge do not change how it is judged', () => {
  // Attack: merge unreviewed carrying an innocuous label ("hotfix"), then rename that repository label to the policy's emergency.label before the merge is judged: the merge past review becomes a resolvable emergency change.
  it('a label renamed to the emergency label after the merge does not make the merge an emergency change', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    s.label('hotfix');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    // Before the merge the control holds: no emergency label, pending review.
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('pending');
    s.world.tick(5);
    s.merge({ by: 'alice' });
    // GitHub sends the merge's delivery as the pull request stood when it merged.
    const closed = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION });
    s.world.tick(5);
    renameLabel(s, 'hotfix', 'emergency');
    await app.deliverAndSettle('pull_request', closed);
    expect(data<ChangeRecord>((await app.entries('change'))[0])).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
    expect(data<ExceptionRecord>((await app.entries('exception'))[0])).toMatchObject({ type: 'merged_without_passing_control' });
  });

  // Attack: merge a change with no ticket reference (ticket_pattern set), then edit the merged pull request's title to carry one before the merge is judged: the change record shows a ticket the change never had at merge.
  it('a ticket reference added to the title after the merge does not satisfy change_request at merge', async () => {
    const s = acmeScenario()
      .file(POLICY, "change_request:\n  ticket_pattern: '[A-Z]+-\\d+'\n")
      .pullRequest({ author: 'alice', title: 'Fix login', body: 'small fix', headRef: 'fix-login' })
      .approvedBy('bob')
      .check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    // Before the merge the control holds: no ticket reference, non_compliant.
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('non_compliant');
    s.world.tick(5);
    s.merge({ by: 'bob' });
    // GitHub sends the merge's delivery as the pull request stood when it merged.
    const closed = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION, sender: 'bob' });
    s.world.tick(5);
    s.currentRepository().pulls.get(1)!.title = 'OPS-7 Fix login'; // GitHub lets anyone with triage edit a merged pull request's title
    await app.deliverAndSettle('pull_request', closed);
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect(change.verdict.rules.find((r) => r.rule === 'change_request')?.status).toBe('fail');
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });

  // Attack: merge a terraform/ change into an unprotected in-scope branch without the code owner's approval, then push a CODEOWNERS edit (dropping the owner) to that branch before the merge is judged: the merge is judged against owners it never had.
  it('CODEOWNERS edited on the base branch after the merge does not decide who had to approve the merge', async () => {
    const s = acmeScenario()
      .file(POLICY, "scope:\n  branches: ['default', 'release/*']\npeer_review:\n  code_owners: true\n")
      .file('.github/CODEOWNERS', '/terraform/ @acme/sre\n')
      .team('acme/sre', ['dave']);
    const repo = s.currentRepository();
    const main = repo.branches.get('main')!;
    repo.branches.set('release/1', main);
    s.pullRequest({ author: 'alice', commits: 0 }).changeBase('release/1');
    s.world.tick(5);
    s.commit({ files: { 'terraform/main.tf': 'resource "x" { public = true }\n' } }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    // Before the merge the control holds: terraform/main.tf awaits @acme/sre.
    expect(data<EvaluationRecord>((await app.entries('evaluation')).at(-1)).verdict.outcome).toBe('pending');
    s.world.tick(5);
    s.merge({ by: 'alice' });
    // GitHub sends the merge's delivery as the pull request stood when it merged.
    const closed = pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION });
    // The simulator merges into the default branch; move the merge to release/1, where the pull request was based.
    repo.branches.set('release/1', repo.branches.get('main')!);
    repo.branches.set('main', main);
    s.world.tick(5);
    s.file('.github/CODEOWNERS', '# owners moved\n', { branch: 'release/1', author: 'alice' });
    await app.deliverAndSettle('pull_request', closed);
    const change = data<ChangeRecord>((await app.entries('change'))[0]);
    expect(change.verdict.rules.find((r) => r.rule === 'code_owners')?.status).toBe('fail');
    expect(change).toMatchObject({ exception: true, verdict: { outcome: 'non_compliant' } });
  });
});
