import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload } from '../support/webhooks.js';

/**
 * Re-evaluations that wait to be folded run on GitHub's state when they run, which
 * can be newer than the deliveries the app has processed: a head pushed by a reviewer
 * whose push notice is still queued must not be judged as reviewed meanwhile.
 */
const env = useApp();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function evaluations(app: RunningApp): Promise<EvaluationRecord[]> {
  return (await app.entries('evaluation')).map((e) => e.data as unknown as EvaluationRecord);
}

function ourRuns(sim: GitHubSimulator, sha: string) {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)' && r.headSha === sha);
}

/** Completes every running `ci` run and returns the `check_run` completed payloads. */
function finishCi(sim: GitHubSimulator): object[] {
  return sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'ci' && r.status !== 'COMPLETED').map((run) => {
    Object.assign(run, { status: 'COMPLETED', conclusion: 'SUCCESS', completedAt: sim.world.tick() });
    return checkRunPayload(sim, 'acme/api', run.id, 'completed', { installationId: INSTALLATION });
  });
}

/**
 * alice's #1, CI running on H1. A check on H1 finishes and its delivery waits
 * to be folded. Meanwhile bob pushes H2 to alice's branch (the commit authored
 * in alice's name), CI passes on H2 and bob approves H2. GitHub then sends the
 * synchronize (sender bob).
 */
async function pushRace(coalesceMs: number) {
  const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'in_progress');
  const { sim, app } = await env.start(s, { settings: { coalesceMs, coalesceMaxMs: Math.max(coalesceMs, 2_000) } });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
  const [done] = finishCi(sim);
  await app.deliver('check_run', done!, { deliveryId: 'ci-h1' });
  // Unfolded, the delivery is answered at once; folded, it waits (idle() would wait for it too).
  if (coalesceMs === 0) await app.worker.idle();
  else await sleep(150);

  s.commit({ author: 'alice' }).check('ci', 'success').approvedBy('bob');
  const h2 = s.headSha();
  await app.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'bob' }), { deliveryId: 'sync-bob' });
  await app.worker.idle();
  await sleep(coalesceMs + 300);
  await app.worker.idle();
  return { sim, app, h2 };
}

describe('folded re-evaluations an insider races', () => {
  it('a folded re-evaluation held back until a synchronize arrives never records or shows H2 as compliant before bob’s push of H2 is known', async () => {
    const { sim, app, h2 } = await pushRace(1_000);
    const records = await evaluations(app);
    const onH2 = records.filter((r) => r.verdict.subject.headSha === h2);
    // bob pushed H2: his approval cannot count. No evaluation of H2 may be compliant, and H2 never shows a success.
    expect(onH2.map((r) => r.verdict.outcome)).not.toContain('compliant');
    expect(ourRuns(sim, h2).map((r) => r.conclusion)).not.toContain('SUCCESS');
    // The folded evaluation that ran before the synchronize waited for bob's push; the one after it knows him.
    const folded = onH2.find((r) => r.trigger.deliveryId === 'ci-h1');
    expect(folded?.verdict.rules.find((x) => x.rule === 'separation_of_duties')).toMatchObject({ status: 'pending', short: `waiting for GitHub's notice of the push of head ${h2.slice(0, 7)}` });
    expect(records.at(-1)!.verdict.outcome).toBe('pending');
    expect(records.at(-1)!.verdict.rules.find((x) => x.rule === 'peer_review')!.seen).toContain('@bob');
  });

  it('control: without coalescing the same deliveries never show H2 as compliant', async () => {
    const { sim, app, h2 } = await pushRace(0);
    const onH2 = (await evaluations(app)).filter((r) => r.verdict.subject.headSha === h2);
    expect(onH2.map((r) => r.verdict.outcome)).not.toContain('compliant');
    expect(ourRuns(sim, h2).map((r) => r.conclusion)).not.toContain('SUCCESS');
  });

  it('without folding too: an approval delivered before the synchronize of the head it approves (GitHub does not order deliveries) never makes that head compliant', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: { coalesceMs: 0 } });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.commit({ author: 'alice' }).check('ci', 'success').approvedBy('bob');
    const h2 = s.headSha();
    const review = s.pr().reviews.at(-1)!;
    await app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, review.id, { installationId: INSTALLATION }));
    const early = (await evaluations(app)).at(-1)!;
    expect(early.verdict.subject.headSha).toBe(h2);
    expect(early.verdict.outcome).toBe('pending');
    expect(ourRuns(sim, h2).map((r) => r.conclusion)).not.toContain('SUCCESS');
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'bob' }));
    const late = (await evaluations(app)).at(-1)!;
    expect(late.verdict.outcome).toBe('pending');
    expect(late.verdict.rules.find((x) => x.rule === 'peer_review')!.seen).toContain('@bob');
  });

  it('two pull requests sharing a head commit: a folded batch evaluates both and every delivery is answered', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'in_progress');
    const repo = s.currentRepository();
    const pr1 = repo.pulls.get(1)!;
    // mallory opens #2 from another branch at the very same head.
    s.user('mallory');
    repo.pulls.set(2, { ...pr1, id: 9_999, number: 2, author: 'mallory', headRef: 'copy', commits: [...pr1.commits], reviews: [], labels: [], title: 'Copy' });
    repo.branches.set('copy', pr1.commits.at(-1)!);
    const { sim, app } = await env.start(s, { settings: { coalesceMs: 300, coalesceMaxMs: 2_000 } });
    const [done] = finishCi(sim);
    pr1.reviews.push({ id: 5_555, author: 'bob', state: 'APPROVED', body: '', submittedAt: sim.world.tick(), commitSha: pr1.commits.at(-1)! });
    await Promise.all([
      app.deliver('check_run', done!, { deliveryId: 'ci' }),
      app.deliver('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, 5_555, { installationId: INSTALLATION }), { deliveryId: 'review' }),
    ]);
    await sleep(600);
    await app.worker.idle();
    const records = await evaluations(app);
    const answered = records.flatMap((r) => [r.trigger, ...(r.coalesced ?? [])].map((t) => `${r.verdict.subject.number}:${t.deliveryId}`));
    expect(answered.sort()).toEqual(['1:ci', '1:review', '2:ci'].sort());
    expect(records.find((r) => r.verdict.subject.number === 2)!.verdict.outcome).not.toBe('compliant');
    expect(await app.ledger.inbox.pendingIds()).toEqual([]);
  });

  it('the emergency label added and removed inside one fold window: the folded evaluation is not an emergency', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: { coalesceMs: 300, coalesceMaxMs: 2_000 } });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.label('emergency');
    const labeled = pullRequestPayload(sim, 'acme/api', 1, 'labeled', { installationId: INSTALLATION });
    const pr = s.pr();
    pr.labels = [];
    (pr.timeline ??= []).push({ kind: 'unlabeled', id: sim.world.nextId(), actor: 'alice', label: 'emergency', createdAt: sim.world.tick() });
    const unlabeled = pullRequestPayload(sim, 'acme/api', 1, 'unlabeled', { installationId: INSTALLATION });
    await app.deliver('pull_request', labeled);
    await app.deliver('pull_request', unlabeled);
    await sleep(600);
    await app.worker.idle();
    const records = await evaluations(app);
    expect(records.at(-1)!.verdict.outcome).toBe('pending');
    expect(records.at(-1)!.coalesced).toHaveLength(1);
    expect(ourRuns(sim, s.headSha()).at(-1)!.status).not.toBe('COMPLETED');
  });
});
