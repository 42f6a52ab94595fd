import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario as base, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload, statusPayload } from '../support/webhooks.js';

const env = useApp();

function ourRuns(s: GitHubSimulator) {
  return s.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
}

async function open(s: ScenarioBuilder, action = 'opened') {
  const { sim, app } = await env.start(s);
  const res = await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, action, { installationId: INSTALLATION }));
  expect(res.status).toBe(200);
  return { sim, app };
}

async function lastVerdict(a: RunningApp) {
  const entries = await a.entries('evaluation');
  return (entries.at(-1)!.data as unknown as EvaluationRecord).verdict;
}

describe('pull request enforcement, end to end', () => {
  it('a compliant pull request: one successful check run, one evaluation recorded, 1 GraphQL read + 1 check-run write', async () => {
    const s = base().pullRequest({ author: 'alice', commits: 2 }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await open(s);
    const runs = ourRuns(sim);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ headSha: s.headSha(), status: 'COMPLETED', conclusion: 'SUCCESS' });
    expect(runs[0]!.output.title).toMatch(/^Compliant: approved by @bob/);
    expect(runs[0]!.output.summary).toContain('| ✅ | Peer review |');
    const [entry] = await app.entries('evaluation');
    const record = entry!.data as unknown as EvaluationRecord;
    expect(entry).toMatchObject({ repo: 'acme/api', subject: 'pull/1' });
    expect(record.verdict.outcome).toBe('compliant');
    expect(record.trigger).toMatchObject({ event: 'pull_request', action: 'opened', sender: 'alice' });
    expect(record.facts?.headSha).toBe(s.headSha());
    expect(record.policy).toMatchObject({ valid: true, files: [] });
    expect(runs[0]!.output.summary).toContain(`Ledger entry #${entry!.seq}`);

    // A second evaluation of the unchanged pull request: the installation token is cached,
    // the policy comes with the one query, and the check run, already showing this verdict, is not written.
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION }));
    expect(sim.counts()).toEqual({ 'POST /graphql': 1 });
    expect(await app.entries('evaluation')).toHaveLength(2);
    expect(ourRuns(sim)).toHaveLength(1);

    // A push (synchronize): the pusher is recorded and read back from the ledger, not from GitHub —
    // still 1 GraphQL read, and 1 write (a new check run on the new head).
    s.commit();
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION }));
    expect(sim.counts()).toEqual({ 'POST /graphql': 1, 'POST /repos/{owner}/{repo}/check-runs': 1 });
    const last = (await app.entries('evaluation')).at(-1)!.data as unknown as EvaluationRecord;
    expect(last.facts!.pushes.map((p) => [p.source, p.pusher])).toEqual([['opened', 'alice'], ['synchronize', 'alice']]);
  });

  it.each([
    { name: 'a failing check', build: (s: ScenarioBuilder) => s.approvedBy('bob').check('ci', 'failure'), title: 'Not compliant: check `ci` (failure) failed' },
    { name: 'changes requested', build: (s: ScenarioBuilder) => s.approvedBy('bob').review('carol', 'CHANGES_REQUESTED').check('ci', 'success'), title: 'Not compliant: changes requested by @carol' },
    {
      name: 'an unattributed commit',
      build: (s: ScenarioBuilder) => s.commit({ author: { name: 'Build Box', email: 'build@ci.internal' } }).approvedBy('bob').check('ci', 'success'),
      title: /^Not compliant: cannot show who wrote commit [0-9a-f]{7} \(author Build Box <build@ci\.internal> is not linked to a GitHub account\)$/,
    },
    {
      name: 'a missing ticket reference',
      build: (s: ScenarioBuilder) => s.file('.github/changeproof.yml', "change_request:\n  ticket_pattern: '[A-Z]+-\\d+'\n").pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'),
      title: 'Not compliant: no ticket reference',
    },
  ])('$name → a failing check run saying so', async ({ build, title }) => {
    const s = build(base().pullRequest({ author: 'alice' }));
    const { sim, app } = await open(s);
    const runs = ourRuns(sim).filter((r) => r.headSha === sim.world.repo('acme/api').pulls.get(1)!.commits.at(-1));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion).toBe('FAILURE');
    if (typeof title === 'string') expect(runs[0]!.output.title).toBe(title);
    else expect(runs[0]!.output.title).toMatch(title);
    expect((await lastVerdict(app)).outcome).toBe('non_compliant');
  });

  it('pending while a check runs (in_progress), then success when it completes', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'in_progress');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)[0]).toMatchObject({ status: 'IN_PROGRESS', conclusion: null });
    expect(ourRuns(sim)[0]!.output.title).toBe('Pending: `ci` still runs');

    s.check('ci', 'success'); // the re-run finishes
    const finished = sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'ci').at(-1)!;
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', finished.id, 'completed', { installationId: INSTALLATION }));
    expect(ourRuns(sim)).toHaveLength(1);
    expect(ourRuns(sim)[0]).toMatchObject({ status: 'COMPLETED', conclusion: 'SUCCESS' });
    expect((await app.entries('evaluation')).map((e) => (e.data as unknown as EvaluationRecord).verdict.outcome)).toEqual(['pending', 'compliant']);
  });

  it('pending for want of review, then success when the approval arrives', async () => {
    const s = base().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)[0]!.output.title).toBe('Pending: 0 of 1 approval');
    s.approvedBy('bob');
    const review = sim.world.repo('acme/api').pulls.get(1)!.reviews.at(-1)!;
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, review.id, { installationId: INSTALLATION }));
    expect(ourRuns(sim)[0]).toMatchObject({ conclusion: 'SUCCESS' });
  });

  it('a commit status re-evaluates the open pull requests of its commit', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').status('ci/jenkins', 'pending');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)[0]!.status).toBe('IN_PROGRESS');
    s.status('ci/jenkins', 'success');
    const status = sim.world.repo('acme/api').statuses.at(-1)!;
    await app.deliverAndSettle('status', statusPayload(sim, 'acme/api', status.id, { installationId: INSTALLATION }));
    expect(ourRuns(sim)[0]).toMatchObject({ conclusion: 'SUCCESS' });
  });

  it('deliveries arriving together about one pull request leave one check run, and the last verdict', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').status('ci/jenkins', 'pending');
    const { sim, app } = await env.start(s, { settings: { coalesceMs: 500 } });
    s.status('ci/jenkins', 'success');
    const status = sim.world.repo('acme/api').statuses.at(-1)!;
    // Slow reads widen the window in which two evaluations of one pull request could overlap.
    sim.faults.add('POST /graphql', { kind: 'delay', ms: 150 }, 3);
    await Promise.all([
      app.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION })),
      app.deliver('status', statusPayload(sim, 'acme/api', status.id, { installationId: INSTALLATION })),
      app.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'labeled', { installationId: INSTALLATION })),
    ]);
    await app.worker.idle();
    // The opening is evaluated on its own (it records who pushed); the status and the label are answered by one evaluation.
    const records = (await app.entries('evaluation')).map((e) => e.data as unknown as EvaluationRecord);
    expect(records).toHaveLength(2);
    const folded = records.find((r) => r.coalesced)!;
    expect([folded.trigger.event, folded.coalesced![0]!.event].sort()).toEqual(['pull_request', 'status']);
    expect(ourRuns(sim)).toHaveLength(1);
    expect(ourRuns(sim)[0]).toMatchObject({ conclusion: 'SUCCESS' });
  });

  it('"Re-run" on our check re-evaluates; our own check completing does not loop', async () => {
    const s = base().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await open(s);
    const ours = ourRuns(sim)[0]!;
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ours.id, 'completed', { installationId: INSTALLATION }));
    expect(await app.entries('evaluation')).toHaveLength(1);
    await app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', ours.id, 'rerequested', { installationId: INSTALLATION }));
    expect(await app.entries('evaluation')).toHaveLength(2);
  });

  it('an emergency change is neutral, with the retrospective window in the title', async () => {
    const s = base().pullRequest({ author: 'alice', labels: ['emergency'] }).check('ci', 'success');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)[0]).toMatchObject({ status: 'COMPLETED', conclusion: 'NEUTRAL' });
    expect(ourRuns(sim)[0]!.output.title).toBe('Emergency change: approval due within 48 h of merge');
    expect((await lastVerdict(app)).outcome).toBe('emergency');
  });

  it('an invalid policy file fails the check, naming the file, line and key', async () => {
    const s = base().file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 12\n').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await open(s);
    const run = ourRuns(sim)[0]!;
    expect(run.conclusion).toBe('FAILURE');
    expect(run.output.title).toBe('Not compliant: invalid policy file acme/api:.github/changeproof.yml:2');
    expect(run.output.summary).toContain('`peer_review.required_approvals`: must be at most 10, got number 12');
    const record = (await app.entries('evaluation'))[0]!.data as unknown as EvaluationRecord;
    expect(record.policy).toMatchObject({ valid: false, files: [{ repository: 'acme/api', path: '.github/changeproof.yml' }] });
  });

  it('the policy is read from the default branch only: the pull request cannot weaken it', async () => {
    const s = base()
      .file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 2\n')
      .pullRequest({ author: 'alice' })
      .commit({ files: { '.github/changeproof.yml': 'peer_review:\n  required_approvals: 0\n' } })
      .approvedBy('bob')
      .check('ci', 'success');
    const { sim } = await open(s);
    expect(ourRuns(sim)[0]!.output.title).toBe('Pending: 1 of 2 approvals');
  });

  it('a pull request into a branch outside the scope is neither recorded nor checked', async () => {
    const s = base().file('.github/changeproof.yml', 'scope:\n  branches: [release/*]\n').pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)).toHaveLength(0);
    expect(await app.entries('evaluation')).toHaveLength(0);
  });

  it('an ignored author is recorded and shown as not enforced (neutral)', async () => {
    const s = base().bot('dependabot').file('.github/changeproof.yml', "scope:\n  ignore_authors: ['dependabot[bot]']\n").pullRequest({ author: 'dependabot[bot]' }).check('ci', 'success');
    const { sim, app } = await open(s);
    expect(ourRuns(sim)[0]).toMatchObject({ conclusion: 'NEUTRAL' });
    expect(ourRuns(sim)[0]!.output.title).toBe('Not enforced: author @dependabot[bot] is in scope.ignore_authors, and so is every contributor');
    expect(await app.entries('evaluation')).toHaveLength(1);
  });
});
