import { randomBytes, randomUUID, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/policy/verdict.js';
import { publicKeyFromPem, verifyLedger, type LedgerEntry } from '../../src/ledger/index.js';
import { acmeScenario, freshConnectionFetch, INSTALLATION_ID, useApp, WEBHOOK_SECRET, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload, signWebhook, statusPayload } from '../support/webhooks.js';
import { acknowledged, byDelivery, inboxIds, post, recordedOnce, type Delivery, type Outcome as PostOutcome } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { seeded, sleep } from './support/random.js';
import { expectedRun, falseSuccesses, ourRuns, shownRun, verdictOf } from './support/verdicts.js';
import { answeredDeliveries } from '../../src/core/records.js';

// Deliveries as GitHub (and an attacker) send them: badly signed, duplicated,
// concurrent, late and out of order — with the app and the simulator running
// over real HTTP.

const env = useApp();
const figures = useFigures('deliveries', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'falseSuccesses']);
const acked = new Set<string>();

/** Posts, counting what was sent and acknowledged. */
async function send(app: RunningApp, d: Delivery): Promise<PostOutcome> {
  figures.sent += 1;
  const outcome = await post(app.webhookUrl, d);
  if (acknowledged(outcome)) acked.add(d.id);
  else figures.refused += 1;
  return outcome;
}

/** Counts acknowledged deliveries found once in the ledger (recorded) or not (lost), and asserts none was lost. */
async function account(app: RunningApp, deliveries: Delivery[]): Promise<void> {
  const recorded = byDelivery(await app.entries());
  const unique = [...new Map(deliveries.map((d) => [d.id, d])).values()].filter((d) => acked.has(d.id));
  const lost = unique.filter((d) => !recordedOnce(d, recorded.get(d.id)));
  figures.acknowledged += unique.length;
  figures.recorded += unique.length - lost.length;
  figures.lost += lost.length;
  expect(lost.map((d) => `${d.event} ${d.id}: ${JSON.stringify(recorded.get(d.id)?.map((e) => `${e.kind} ${e.subject}`))}`)).toEqual([]);
}

/** How many deliveries these evaluations answered: each its trigger, and those folded into it. */
function answeredBy(evaluations: readonly LedgerEntry[]): number {
  return evaluations.reduce((n, e) => n + answeredDeliveries(e.data).length, 0);
}

async function verifies(app: RunningApp): Promise<void> {
  const report = await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) });
  expect(report.failure).toBeNull();
}

const REPOS = ['acme/api', 'acme/web', 'acme/ops', 'acme/lib'];
const TRUTHS: Outcome[] = ['compliant', 'non_compliant', 'pending', 'non_compliant'];

/** Four repositories, each with a compliant, a failing, a pending and a changes-requested pull request. */
function fleet(): ScenarioBuilder {
  const s = acmeScenario();
  for (const [i, repo] of REPOS.entries()) {
    if (i > 0) s.repo(repo);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'failure');
    s.pullRequest({ author: 'alice' }).status('ci/jenkins', 'success');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').review('carol', 'CHANGES_REQUESTED').check('ci', 'success');
  }
  return s;
}

describe.runIf(RELIABILITY)('badly signed deliveries', () => {
  it('are refused with a 4xx, between good ones, and leave no trace', async () => {
    const { sim, app } = await env.start(fleet());
    const good = pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION_ID });
    const body = JSON.stringify(good);
    const hmac = (b: string, secret: string) => createHmac('sha256', secret).update(b).digest('hex');
    const fixed: Array<[string, Record<string, string>]> = [
      ['no signature', {}],
      ['the wrong secret', { 'x-hub-signature-256': signWebhook(body, 'not-the-secret') }],
      ['the secret with a trailing space', { 'x-hub-signature-256': signWebhook(body, `${WEBHOOK_SECRET} `) }],
      ['a signature of another body', { 'x-hub-signature-256': signWebhook(`${body} `, WEBHOOK_SECRET) }],
      ['a truncated signature', { 'x-hub-signature-256': signWebhook(body, WEBHOOK_SECRET).slice(0, -1) }],
      ['a signature without its sha256= prefix', { 'x-hub-signature-256': hmac(body, WEBHOOK_SECRET) }],
      ['a sha1= signature in the sha256 header', { 'x-hub-signature-256': `sha1=${createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex')}` }],
      ['only the legacy SHA-1 header', { 'x-hub-signature': `sha1=${createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex')}` }],
      ['an empty signature', { 'x-hub-signature-256': '' }],
      ['a 10 kB signature', { 'x-hub-signature-256': `sha256=${'a'.repeat(10_000)}` }],
      ['the signature of an empty body', { 'x-hub-signature-256': signWebhook('', WEBHOOK_SECRET) }],
    ];
    // Random signatures: well-formed hex, or any printable text.
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((h) => `sha256=${h}`);
    const text = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 });
    const random = fc.sample(fc.oneof(hex, text), { seed: 42, numRuns: 100 }).map((sig, i): [string, Record<string, string>] => [`random signature ${i}`, { 'x-hub-signature-256': sig }]);
    const bad = [...fixed, ...random].map(([name, headers]) => ({ name, headers, id: `bad-${randomUUID()}` }));

    // Bad and good deliveries at once, in waves of 20.
    const goods: Delivery[] = [];
    const cases = [...bad.map((b) => ({ bad: b })), ...Array.from({ length: 12 }, () => ({ bad: null }))];
    const order = seeded(11);
    cases.sort(() => order.next() - 0.5);
    for (let i = 0; i < cases.length; i += 20) {
      await Promise.all(cases.slice(i, i + 20).map(async ({ bad: b }) => {
        if (!b) {
          const d: Delivery = { id: randomUUID(), event: 'pull_request', payload: good, expect: ['evaluation'] };
          goods.push(d);
          expect(await send(app, d)).toEqual({ status: 200 });
          return;
        }
        figures.sent += 1;
        const res = await freshConnectionFetch(app.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': b.id, ...b.headers },
          body,
        });
        expect(res.status, b.name).toBeGreaterThanOrEqual(400);
        expect(res.status, b.name).toBeLessThan(500);
        figures.refused += 1;
      }));
    }
    await app.worker.idle();
    const stored = inboxIds(app.ledgerPath);
    expect(bad.filter((b) => stored.has(b.id)).map((b) => b.name)).toEqual([]);
    const recorded = byDelivery(await app.entries());
    expect(bad.filter((b) => recorded.has(b.id)).map((b) => b.name)).toEqual([]);
    expect([...recorded.keys()].sort()).toEqual(goods.map((g) => g.id).sort());
    await account(app, goods);
    figures.note('badSignatures', bad.length);
    await verifies(app);
  });
});

describe.runIf(RELIABILITY)('duplicate deliveries under load', () => {
  it('the same X-GitHub-Delivery posted 3 times at once, 64 deliveries at a time, is recorded once; redelivered later, still once', async () => {
    const s = fleet();
    const { sim, app } = await env.start(s);
    const deliveries: Delivery[] = [];
    for (const repo of REPOS) {
      const r = sim.world.repo(repo);
      for (const pr of r.pulls.values()) {
        const head = pr.commits.at(-1)!;
        deliveries.push({ id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, repo, pr.number, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] });
        deliveries.push({ id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, repo, pr.number, 'labeled', { installationId: INSTALLATION_ID }), expect: ['evaluation'] });
        const review = pr.reviews.at(-1);
        if (review) deliveries.push({ id: randomUUID(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, repo, pr.number, review.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] });
        const run = r.checkRuns.find((c) => c.headSha === head && c.name === 'ci');
        if (run) deliveries.push({ id: randomUUID(), event: 'check_run', payload: checkRunPayload(sim, repo, run.id, 'completed', { installationId: INSTALLATION_ID }), expect: ['evaluation'] });
        const status = r.statuses.find((st) => st.sha === head);
        if (status) deliveries.push({ id: randomUUID(), event: 'status', payload: statusPayload(sim, repo, status.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] });
      }
    }
    const started = performance.now();
    for (let i = 0; i < deliveries.length; i += 64) {
      const outcomes = await Promise.all(deliveries.slice(i, i + 64).flatMap((d) => [send(app, d), send(app, d), send(app, d)]));
      expect(outcomes.filter((o) => !acknowledged(o))).toEqual([]);
    }
    const acceptedMs = performance.now() - started;
    await app.worker.idle();
    figures.note('duplicates', { deliveries: deliveries.length, posts: deliveries.length * 3, acceptedMs: Math.round(acceptedMs), settledMs: Math.round(performance.now() - started) });
    // Every delivery answered by one evaluation: as its trigger, or folded into one with others about the same head.
    const evaluations = await app.entries('evaluation');
    expect(answeredBy(evaluations)).toBe(deliveries.length);
    figures.note('duplicatesFolded', deliveries.length - evaluations.length);

    // GitHub's redelivery of every one of them, after they were processed: acknowledged, nothing new.
    const size = (await app.ledger.head()).size;
    const again = await Promise.all(deliveries.map((d) => send(app, d)));
    expect(again.filter((o) => !acknowledged(o))).toEqual([]);
    await app.worker.idle();
    expect((await app.ledger.head()).size).toBe(size);
    await account(app, deliveries);

    // One check run per head, showing the truth.
    const truth = (repo: string, n: number) => (REPOS.includes(repo) ? TRUTHS[n - 1] : undefined);
    for (const repo of REPOS) {
      const runs = ourRuns(sim, repo);
      expect(runs).toHaveLength(4);
      for (const pr of sim.world.repo(repo).pulls.values()) {
        const run = runs.find((r) => r.headSha === pr.commits.at(-1))!;
        expect({ repo, pr: pr.number, status: run.status, conclusion: run.conclusion }).toEqual({ repo, pr: pr.number, ...expectedRun(truth(repo, pr.number)!) });
      }
    }
    const wrong = falseSuccesses(sim, await app.entries(), REPOS, truth, { settled: true });
    figures.falseSuccesses += wrong.length;
    expect(wrong).toEqual([]);
    await verifies(app);
  });
});

describe.runIf(RELIABILITY)('out-of-order deliveries', () => {
  it('a review delivered before the pull request was opened: one evaluation each, compliant at the end', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    const opened: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    s.approvedBy('bob');
    const review: Delivery = { id: randomUUID(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, 'acme/api', 1, s.pr().reviews.at(-1)!.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    await send(app, review);
    await send(app, opened);
    await app.worker.idle();
    await account(app, [review, opened]);
    expect((await app.entries('evaluation')).map((e) => verdictOf(e).outcome)).toEqual(['compliant', 'compliant']);
    expect(ourRuns(sim, 'acme/api')).toMatchObject([{ status: 'COMPLETED', conclusion: 'SUCCESS' }]);
  });

  it('a merge delivered before the opening and the review: one change record, and the check run keeps the merge verdict', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    const opened: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    s.review('carol', 'COMMENTED');
    const comment: Delivery = { id: randomUUID(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, 'acme/api', 1, s.pr().reviews.at(-1)!.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    s.merge({ by: 'alice' });
    const closed: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION_ID }), expect: ['change', 'exception'] };
    for (const d of [closed, comment, opened, closed]) await send(app, d);
    await app.worker.idle();
    await account(app, [closed, opened, comment]);
    expect(await app.entries('change')).toHaveLength(1);
    expect(await app.entries('exception')).toHaveLength(1);
    for (const e of await app.entries('evaluation')) expect(verdictOf(e)).toMatchObject({ outcome: 'non_compliant', stage: 'merge' });
    expect(ourRuns(sim, 'acme/api')).toMatchObject([{ conclusion: 'FAILURE', output: { title: 'Not compliant: merged with 0 of 1 approval' } }]);
  });

  type Step = 'approve' | 'changes' | 'comment' | 'commit' | 'ci-success' | 'ci-failure' | 'label';
  const STEPS: Step[] = ['approve', 'changes', 'comment', 'commit', 'ci-success', 'ci-failure', 'label'];

  it('any order, any delay, with triple posts: the last verdict is what a fresh evaluation says, shown by the check run of the head (fast-check, 30 histories)', async () => {
    const s = acmeScenario().user('dave');
    const { sim, app } = await env.start(s);
    let runs = 0;
    const finals: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ step: fc.constantFrom(...STEPS), reviewer: fc.constantFrom('bob', 'carol', 'dave'), delayMs: fc.integer({ min: 0, max: 40 }), copies: fc.constantFrom(1, 1, 3) }), { minLength: 1, maxLength: 8 }),
        async (history) => {
          runs += 1;
          s.pullRequest({ author: 'alice' });
          const number = s.pr().number;
          const payloadOf = (step: Step, reviewer: string): Delivery => {
            const id = randomUUID();
            const pr = (action: string) => ({ id, event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', number, action, { installationId: INSTALLATION_ID }), expect: ['evaluation' as const] });
            switch (step) {
              case 'approve':
              case 'changes':
              case 'comment':
                s.review(reviewer, step === 'approve' ? 'APPROVED' : step === 'changes' ? 'CHANGES_REQUESTED' : 'COMMENTED');
                return { id, event: 'pull_request_review', payload: pullRequestReviewPayload(sim, 'acme/api', number, s.pr().reviews.at(-1)!.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
              case 'commit':
                s.commit();
                return pr('synchronize');
              case 'label':
                if (!s.pr().labels.includes('emergency')) s.label('emergency'); // GitHub holds a label once
                return pr('labeled');
              default: {
                s.check('ci', step === 'ci-success' ? 'success' : 'failure');
                const run = sim.world.repo('acme/api').checkRuns.at(-1)!;
                return { id, event: 'check_run', payload: checkRunPayload(sim, 'acme/api', run.id, 'completed', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
              }
            }
          };
          // Each change happens on GitHub, and its webhook leaves after a random delay, so
          // deliveries overtake each other and arrive while later changes are being made.
          const sent: Delivery[] = [];
          const posts: Array<Promise<unknown>> = [];
          const deliver = (d: Delivery, delayMs: number, copies: number) => {
            sent.push(d);
            posts.push(sleep(delayMs).then(() => Promise.all(Array.from({ length: copies }, () => send(app, d)))));
          };
          deliver({ id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', number, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] }, history[0]!.delayMs, 1);
          for (const { step, reviewer, delayMs, copies } of history) {
            await sleep(5);
            deliver(payloadOf(step, reviewer), delayMs, copies);
          }
          await Promise.all(posts);
          await app.worker.idle();
          await account(app, sent);
          const mine = (await app.entries('evaluation')).filter((e) => verdictOf(e).subject.number === number);
          expect(answeredBy(mine)).toBe(new Set(sent.map((d) => d.id)).size);
          const last = verdictOf(mine.at(-1)!);
          const head = sim.world.repo('acme/api').pulls.get(number)!.commits.at(-1)!;
          expect(shownRun(sim, 'acme/api', head)).toMatchObject(expectedRun(last.outcome));

          // The oracle: a fresh evaluation of the settled pull request.
          const fresh: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', number, 'edited', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
          await send(app, fresh);
          await app.worker.idle();
          await account(app, [fresh]);
          const now = verdictOf((await app.entries('evaluation')).at(-1)!);
          expect(now.outcome).toBe(last.outcome);
          finals[now.outcome] = (finals[now.outcome] ?? 0) + 1;
          expect(shownRun(sim, 'acme/api', head)).toMatchObject(expectedRun(now.outcome));
          const truth = (repo: string, n: number) => (n === number ? now.outcome : undefined);
          const wrong = falseSuccesses(sim, await app.entries(), ['acme/api'], truth, { settled: true });
          figures.falseSuccesses += wrong.length;
          expect(wrong).toEqual([]);
        },
      ),
      { seed: 42, numRuns: 30 },
    );
    figures.note('outOfOrderHistories', { runs, finalOutcomes: finals });
    await verifies(app);
  });
});
