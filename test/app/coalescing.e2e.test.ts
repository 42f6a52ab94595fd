import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario as base, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder as Scenario } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload, statusPayload } from '../support/webhooks.js';

const env = useApp();
const CREATE = 'POST /repos/{owner}/{repo}/check-runs';
const UPDATE = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';
const CHECKS = Array.from({ length: 10 }, (_, i) => `ci-${i + 1}`);

/** A pull request by alice whose ten checks are still running. */
function running(): Scenario {
  const s = base().pullRequest({ author: 'alice' });
  for (const name of CHECKS) s.check(name, 'in_progress');
  return s;
}

/** Finishes every running check of acme/api in the simulated world (as CI would), and returns the `check_run` completed payloads GitHub would send. */
function finishChecks(sim: GitHubSimulator, conclusion = 'SUCCESS'): object[] {
  const repo = sim.world.repo('acme/api');
  return repo.checkRuns.filter((r) => CHECKS.includes(r.name) && r.status !== 'COMPLETED').map((run) => {
    Object.assign(run, { status: 'COMPLETED', conclusion, completedAt: sim.world.tick() });
    return checkRunPayload(sim, 'acme/api', run.id, 'completed', { installationId: INSTALLATION });
  });
}

async function opened(s: Scenario, settings: Record<string, unknown>) {
  const { sim, app } = await env.start(s, { settings });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
  sim.resetRequests();
  return { sim, app };
}

/** The `pull_request_review` submitted payload of the pull request's latest review. */
function reviewPayload(sim: GitHubSimulator): object {
  const review = sim.world.repo('acme/api').pulls.get(1)!.reviews.at(-1)!;
  return pullRequestReviewPayload(sim, 'acme/api', 1, review.id, { installationId: INSTALLATION });
}

async function evaluations(app: RunningApp): Promise<EvaluationRecord[]> {
  return (await app.entries('evaluation')).map((e) => e.data as unknown as EvaluationRecord);
}

function ourRuns(sim: GitHubSimulator) {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
}

describe('coalescing: deliveries that arrive together are answered by one evaluation', () => {
  it('ten checks finishing and an approval: one evaluation serves all eleven deliveries, one write, every delivery completed', async () => {
    const s = running();
    const { sim, app } = await opened(s, { coalesceMs: 300, coalesceMaxMs: 5_000 });
    expect((await evaluations(app)).map((r) => r.verdict.outcome)).toEqual(['pending']);

    const payloads = finishChecks(sim);
    s.approvedBy('bob');
    const ids = [...CHECKS.map((_, i) => `check-${i}`), 'review-1'];
    await Promise.all([
      ...payloads.map((p, i) => app.deliver('check_run', p, { deliveryId: ids[i] })),
      app.deliver('pull_request_review', reviewPayload(sim), { deliveryId: 'review-1' }),
    ]);
    await app.worker.idle();

    const records = await evaluations(app);
    expect(records.map((r) => r.verdict.outcome)).toEqual(['pending', 'compliant']);
    const folded = records[1]!;
    // The latest delivery is the trigger; the ten others are named as answered by the same evaluation.
    const served = [folded.trigger, ...(folded.coalesced ?? [])].map((t) => t.deliveryId);
    expect(served.sort()).toEqual([...ids].sort());
    expect(folded.coalesced).toHaveLength(10);
    expect(folded.coalesced!.every((t) => t.event === 'check_run' || t.event === 'pull_request_review')).toBe(true);
    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
    // One read (the check runs name their pull request: no look-up), one write.
    expect(sim.counts()).toEqual({ 'POST /graphql': 1, [UPDATE]: 1 });
    expect(ourRuns(sim)).toHaveLength(1);
    expect(ourRuns(sim)[0]).toMatchObject({ status: 'COMPLETED', conclusion: 'SUCCESS' });
  });

  it('the same storm with coalescing off: one evaluation per delivery, the same final verdict', async () => {
    const s = running();
    const { sim, app } = await opened(s, { coalesceMs: 0 });
    const payloads = finishChecks(sim);
    s.approvedBy('bob');
    await Promise.all([
      ...payloads.map((p) => app.deliver('check_run', p)),
      app.deliver('pull_request_review', reviewPayload(sim)),
    ]);
    await app.worker.idle();
    const records = await evaluations(app);
    expect(records).toHaveLength(12);
    expect(records.every((r) => r.coalesced === undefined)).toBe(true);
    expect(records.at(-1)!.verdict.outcome).toBe('compliant');
    expect(ourRuns(sim)[0]).toMatchObject({ conclusion: 'SUCCESS' });
  });

  it('a status and a check about the same head fold together; the status is looked up by commit once', async () => {
    const s = running().status('ci/jenkins', 'pending');
    const { sim, app } = await opened(s, { coalesceMs: 300 });
    const checks = finishChecks(sim);
    s.status('ci/jenkins', 'success');
    const status = sim.world.repo('acme/api').statuses.at(-1)!;
    await Promise.all([
      app.deliver('status', statusPayload(sim, 'acme/api', status.id, { installationId: INSTALLATION })),
      ...checks.map((p) => app.deliver('check_run', p)),
    ]);
    await app.worker.idle();
    const records = await evaluations(app);
    expect(records).toHaveLength(2);
    expect(records[1]!.coalesced).toHaveLength(10);
    expect(sim.counts()['GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls']).toBe(1);
    expect(records[1]!.verdict.outcome).toBe('pending'); // unreviewed: only the checks changed
  });

  it('a merge arriving behind a waiting re-evaluation does not overtake it: the re-evaluation runs first, at once', async () => {
    const s = running();
    // A wait far longer than the test may take: only the merge behind it can let it run now.
    const { sim, app } = await opened(s, { coalesceMs: 60_000, coalesceMaxMs: 60_000 });
    const payloads = finishChecks(sim);
    s.approvedBy('bob');
    await app.deliver('pull_request_review', reviewPayload(sim));
    for (const p of payloads) await app.deliver('check_run', p);
    s.merge({ by: 'carol' });
    await app.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const started = Date.now();
    await app.worker.idle();
    expect(Date.now() - started).toBeLessThan(10_000);
    const kinds = (await app.entries()).filter((e) => e.kind === 'evaluation' || e.kind === 'change').map((e) => `${e.kind}:${(e.data as unknown as EvaluationRecord).verdict.outcome}`);
    expect(kinds).toEqual(['evaluation:pending', 'evaluation:compliant', 'change:compliant']);
    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
  });

  it('pushes to the head are never folded: each synchronize records its pusher, then evaluates', async () => {
    const s = running();
    const { sim, app } = await opened(s, { coalesceMs: 300 });
    s.commit();
    const first = pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'alice' });
    s.commit();
    const second = pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'carol' });
    await Promise.all([app.deliver('pull_request', first), app.deliver('pull_request', second)]);
    await app.worker.idle();
    expect((await app.entries('head_push')).map((e) => (e.data as { pusher: string }).pusher).sort()).toEqual(['alice', 'alice', 'carol']);
    expect(await evaluations(app)).toHaveLength(3);
  });

  it('re-evaluations a crash left in the inbox are folded on start, and each is completed', async () => {
    const s = running();
    const { sim, app: first } = await opened(s, { coalesceMs: 50 });
    const payloads = finishChecks(sim);
    s.approvedBy('bob');
    await first.worker.stop();
    // Accepted (as the webhook route does) but never processed: the process died.
    for (const [i, p] of payloads.entries()) await first.ledger.inbox.accept(`lost-${i}`, 'check_run', JSON.stringify(p));
    const app = await env.restart({ settings: { coalesceMs: 50 } });
    await app.worker.idle();
    const records = await evaluations(app);
    expect(records.map((r) => r.verdict.outcome)).toEqual(['pending', 'compliant']);
    expect(records[1]!.coalesced).toHaveLength(9);
    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
  });

  it('a batch recorded but not completed (a crash, a failure) is never answered twice: its replay completes what it answered, a newer delivery gets its own evaluation', async () => {
    const s = running();
    const { sim, app } = await opened(s, { coalesceMs: 50, retryDelaysMs: [100] });
    const payloads = finishChecks(sim);
    s.approvedBy('bob');
    const inbox = app.ledger.inbox;
    const complete = inbox.complete.bind(inbox);
    let late: Promise<Response> | null = null;
    // The first completion fails after the evaluation was recorded; meanwhile a review is edited.
    inbox.complete = async (id: string) => {
      if (!late) {
        late = app.deliver('pull_request_review', reviewPayload(sim), { deliveryId: 'late-review' });
        await late;
        throw new Error('disk I/O error');
      }
      return complete(id);
    };
    await Promise.all(payloads.map((p, i) => app.deliver('check_run', p, { deliveryId: `check-${i}` })));
    await app.worker.idle();
    await new Promise((r) => setTimeout(r, 300));
    await app.worker.idle();

    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
    const records = await evaluations(app);
    const answered = records.slice(1).flatMap((r) => [r.trigger, ...(r.coalesced ?? [])].map((t) => t.deliveryId));
    // Every delivery answered exactly once: the ten checks by the recorded batch, the late review by an evaluation of its own.
    expect([...answered].sort()).toEqual([...payloads.map((_, i) => `check-${i}`), 'late-review'].sort());
    expect(records).toHaveLength(3);
    expect(records[2]!.trigger.deliveryId).toBe('late-review');
  });
});
