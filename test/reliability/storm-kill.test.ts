import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/policy/verdict.js';
import { defaultSigningKeyPath, publicKeyFromPem, SqliteLedger, verifyLedger, type LedgerEntry } from '../../src/ledger/index.js';
import { acmeScenario, APP_ID, freshConnectionFetch, INSTALLATION_ID, WEBHOOK_SECRET } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestReviewPayload } from '../support/webhooks.js';
import { startChildApp, useChildApps } from './support/child-app.js';
import { acknowledged, byDelivery, post, recordedOnce, type Delivery } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { seeded, sleep } from './support/random.js';
import { expectedRun, shownRun, verdictOf } from './support/verdicts.js';
import { answeredDeliveries } from '../../src/core/records.js';

// The real app (`node lib/app/main.js`, production settings: re-evaluations
// about one head commit folded for a second) receives storms: five pull
// requests whose ten checks each finish within a couple of seconds, plus an
// approval each. It is killed with SIGKILL in the middle of the storm, three
// times, and started again on the same ledger; deliveries it did not
// acknowledge are redelivered (same X-GitHub-Delivery). Afterwards every
// acknowledged delivery must be answered by exactly one recorded evaluation
// (as its trigger or folded into it), and every pull request must end with
// the verdict its facts give — recorded and shown — as it would without
// coalescing.

const PULLS = 5;
const CHECKS = 10;
const KILLS = 3;
const SENDERS = 3;
/** Pull requests with a failing check: their final verdict is not compliant. */
const FAILING = new Set([3]);

const figures = useFigures('storm-kill', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'falseSuccesses', 'killsSurvived']);
const { state, appFolder } = useChildApps({ enabled: RELIABILITY });

function world() {
  const s = acmeScenario();
  for (let n = 1; n <= PULLS; n++) {
    s.pullRequest({ author: 'alice' });
    for (let c = 1; c <= CHECKS; c++) s.check(`ci-${c}`, 'in_progress');
  }
  return s;
}

/** The storm, in a seeded order: each step finishes a check (or approves) in the simulated GitHub, then delivers what GitHub would send. */
function storm(sim: GitHubSimulator, seed: number): Array<() => Delivery> {
  const random = seeded(seed);
  const repo = sim.world.repo('acme/api');
  const steps: Array<() => Delivery> = [];
  for (let n = 1; n <= PULLS; n++) {
    const pr = repo.pulls.get(n)!;
    for (const run of repo.checkRuns.filter((r) => r.headSha === pr.commits.at(-1))) {
      steps.push(() => {
        const fails = FAILING.has(n) && run.name === 'ci-1';
        Object.assign(run, { status: 'COMPLETED', conclusion: fails ? 'FAILURE' : 'SUCCESS', completedAt: sim.world.tick() });
        return { id: randomUUID(), event: 'check_run', payload: checkRunPayload(sim, 'acme/api', run.id, 'completed', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
      });
    }
    steps.push(() => {
      const review = { id: sim.world.nextId(), author: 'bob', state: 'APPROVED' as const, body: '', submittedAt: sim.world.tick(), commitSha: pr.commits.at(-1)! };
      pr.reviews.push(review);
      return { id: randomUUID(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, 'acme/api', n, review.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    });
  }
  // Shuffled: checks of all five pull requests finish interleaved.
  for (let i = steps.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  return steps;
}

const HEALTH_TOKEN = 'storm-kill-read-token';

async function pending(url: string): Promise<number> {
  const res = await freshConnectionFetch(`${url}/api/changeproof/health`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
  return ((await res.json()) as { pending_deliveries: number }).pending_deliveries;
}

describe.runIf(RELIABILITY)('the app killed with SIGKILL during a coalesced storm', () => {
  it(`answers every acknowledged delivery once and ends on the right verdicts (${KILLS} kills)`, async () => {
    const s = world();
    const sim = await startGitHubSimulator(s);
    state.sim = sim;
    const { dir, ledgerPath, env } = appFolder('changeproof-storm-kill-', { APP_ID: String(APP_ID), WEBHOOK_SECRET, ...sim.env, CHANGEPROOF_API_TOKEN: HEALTH_TOKEN });
    const steps = storm(sim, 20261203);
    const random = seeded(11);
    const acked = new Map<string, Delivery>();
    const all = new Map<string, Delivery>();
    let redeliver: Delivery[] = [];
    /** Deliveries each start found pending in the inbox and replayed. */
    const replayed: number[] = [];

    /** SENDERS loops: redeliveries first, then the storm's next step, 20–150 ms apart (the storm outlasts the first kills). */
    const send = (url: string, fresh: boolean) => {
      let stopped = false;
      const loop = async () => {
        while (!stopped) {
          const step = redeliver.length ? null : fresh ? steps.shift() : undefined;
          const d = redeliver.shift() ?? step?.();
          if (!d) return;
          all.set(d.id, d);
          figures.sent += 1;
          const outcome = await post(url, d);
          if (acknowledged(outcome)) acked.set(d.id, d);
          else {
            if ('status' in outcome) figures.refused += 1;
            if (!acked.has(d.id)) redeliver.push(d);
          }
          await sleep(random.int(20, 150));
        }
      };
      const done = Promise.all(Array.from({ length: SENDERS }, loop)).then(() => undefined);
      return { done, stop: async () => { stopped = true; await done; } };
    };

    for (let kill = 0; kill < KILLS; kill++) {
      const app = await startChildApp(env, { cwd: dir });
      state.children.push(app);
      replayed.push(await pending(app.url));
      const load = send(app.webhookUrl, true);
      // Killed while the storm blows (the first life), then while folded evaluations run and their check runs are
      // written (each a GraphQL query and a write, spaced a second apart per installation in production).
      await sleep(kill === 0 ? random.int(800, 1_600) : random.int(2_000, 5_000));
      const stopping = load.stop();
      app.process.kill('SIGKILL');
      expect((await app.exited).signal).toBe('SIGKILL');
      await stopping;
      state.children = state.children.filter((c) => c !== app);
      const publicKey = publicKeyFromPem(readFileSync(defaultSigningKeyPath(ledgerPath), 'utf8'));
      expect((await verifyLedger(ledgerPath, { publicKey })).failure, `chain after kill ${kill + 1}`).toBeNull();
    }

    // The rest of the storm and the redeliveries, then the app drains its inbox.
    const app = await startChildApp(env, { cwd: dir });
    state.children.push(app);
    replayed.push(await pending(app.url));
    await send(app.webhookUrl, true).done;
    expect(redeliver).toEqual([]);
    expect(steps).toEqual([]);
    const deadline = Date.now() + 120_000;
    while ((await pending(app.url)) > 0) {
      if (Date.now() > deadline) throw new Error(`the app did not finish its inbox:\n${app.output().slice(-4000)}`);
      await sleep(250);
    }
    app.process.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    state.children = state.children.filter((c) => c !== app);

    const ledger = SqliteLedger.open(ledgerPath, { env: {} });
    const entries: LedgerEntry[] = [];
    for await (const e of ledger.read()) entries.push(e);
    const publicKey = publicKeyFromPem(ledger.publicKeyPem());
    await ledger.close();
    expect((await verifyLedger(ledgerPath, { publicKey, requireFinalCheckpoint: true })).failure).toBeNull();

    // Every acknowledged delivery answered by exactly one evaluation; nothing answered that nobody sent.
    const answered = byDelivery(entries);
    const lost = [...acked.values()].filter((d) => !recordedOnce(d, answered.get(d.id)));
    figures.acknowledged = acked.size;
    figures.recorded = acked.size - lost.length;
    figures.lost = lost.length;
    expect(lost.map((d) => `${d.event} ${d.id}: ${answered.get(d.id)?.length ?? 0} evaluations`)).toEqual([]);
    expect([...answered.keys()].filter((id) => !all.has(id))).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(PULLS * (CHECKS + 1));

    // The final verdict of each pull request, recorded and shown, is what its facts give.
    const evaluations = entries.filter((e) => e.kind === 'evaluation');
    const wrong: string[] = [];
    for (let n = 1; n <= PULLS; n++) {
      const truth: Outcome = FAILING.has(n) ? 'non_compliant' : 'compliant';
      const last = evaluations.filter((e) => e.subject === `pull/${n}`).at(-1);
      if (!last || verdictOf(last).outcome !== truth) wrong.push(`#${n} recorded ${last ? verdictOf(last).outcome : 'nothing'}, not ${truth}`);
      const head = sim.world.repo('acme/api').pulls.get(n)!.commits.at(-1)!;
      const shown = shownRun(sim, 'acme/api', head);
      const expected = expectedRun(truth);
      if (shown?.status !== expected.status || shown?.conclusion !== expected.conclusion) wrong.push(`#${n} shows ${shown?.status}/${shown?.conclusion}, not ${expected.status}/${expected.conclusion}`);
      if (truth !== 'compliant' && evaluations.some((e) => e.subject === `pull/${n}` && verdictOf(e).outcome === 'compliant')) figures.falseSuccesses += 1;
    }
    expect(wrong).toEqual([]);
    expect(figures.falseSuccesses).toBe(0);
    figures.killsSurvived = lost.length === 0 ? KILLS : 0;
    figures.note('replayedAtStart', replayed);
    figures.note('evaluations', evaluations.length);
    figures.note('evaluationsPerPull', evaluations.length / PULLS);
    figures.note('folded', evaluations.reduce((n, e) => n + answeredDeliveries(e.data).length - 1, 0));
  }, 300_000);
});
