import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/policy/verdict.js';
import { publicKeyFromPem, verifyLedger } from '../../src/ledger/index.js';
import { acmeScenario, INSTALLATION_ID, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { Fault, FieldFault } from '../support/simulator/faults.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload, statusPayload } from '../support/webhooks.js';
import { acknowledged, byDelivery, post, recordedOnce, type Delivery } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { seeded } from './support/random.js';
import { expectedRun, falseSuccesses, ourRuns, shownRun, verdictOf } from './support/verdicts.js';

// GitHub failing under the app: 5xx, gateway timeouts, dropped connections,
// slow answers, primary and secondary rate limits with retry-after, and
// GraphQL answers with errors on single fields (partial data). The app must
// never record or show a success the facts did not establish, and must reach
// the right verdict once GitHub answers again.

const env = useApp();
const figures = useFigures('github-faults', ['sent', 'acknowledged', 'recorded', 'lost', 'refused', 'faultsInjected', 'falseSuccesses']);

/** Short back-offs so an outage and its recovery fit in seconds; the shape is production's. */
const SETTINGS = { maxAttempts: 4, retryDelaysMs: [10, 40, 80], reevaluationDelaysMs: [150, 400, 800] };

async function deliverAll(app: RunningApp, deliveries: Delivery[]): Promise<void> {
  const outcomes = await Promise.all(deliveries.map((d) => post(app.webhookUrl, d)));
  figures.sent += deliveries.length;
  outcomes.forEach((o, i) => expect(acknowledged(o), `${deliveries[i]!.event}: ${JSON.stringify(o)}`).toBe(true));
}

/** Acknowledged deliveries found once in the ledger; none may be lost. */
async function account(app: RunningApp, deliveries: Delivery[]): Promise<void> {
  const recorded = byDelivery(await app.entries());
  const lost = deliveries.filter((d) => !recordedOnce(d, recorded.get(d.id)));
  figures.acknowledged += deliveries.length;
  figures.recorded += deliveries.length - lost.length;
  figures.lost += lost.length;
  expect(lost.map((d) => d.event)).toEqual([]);
}

/** The latest verdict recorded for each pull request. */
async function latest(app: RunningApp): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  for (const e of await app.entries('evaluation')) out.set(`${e.repo}#${verdictOf(e).subject.number}`, verdictOf(e).outcome);
  return out;
}

const REPOS = ['acme/api', 'acme/web', 'acme/ops'];

/**
 * Nine pull requests per repository, each failing (or passing) for another
 * reason; acme/ops's own policy wants two approvals, so an evaluation that
 * fell back to the default policy would pass #1 and #8 there.
 */
function fleet(): { s: ScenarioBuilder; truth: (repo: string, n: number) => Outcome | undefined } {
  const s = acmeScenario().user('erin', { canPush: false });
  for (const [i, repo] of REPOS.entries()) {
    if (i > 0) s.repo(repo);
    if (repo === 'acme/ops') s.file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 2\n');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').approvedBy('carol').check('ci', 'success'); // 1
    s.pullRequest({ author: 'alice' }).approvedBy('bob').approvedBy('carol').check('ci', 'failure'); // 2
    s.pullRequest({ author: 'alice' }).approvedBy('bob').review('carol', 'CHANGES_REQUESTED').check('ci', 'success'); // 3
    s.pullRequest({ author: 'alice' }).commit({ author: { name: 'Build Box', email: 'build@ci.internal' } }).approvedBy('bob').approvedBy('carol').check('ci', 'success'); // 4
    s.pullRequest({ author: 'alice', commits: 0 }).commit({ coAuthors: ['bob'] }).approvedBy('bob').check('ci', 'success'); // 5
    s.pullRequest({ author: 'alice' }).approvedBy('erin').check('ci', 'success'); // 6
    s.pullRequest({ author: 'alice' }).approvedBy('bob').approvedBy('carol').commit().check('ci', 'success'); // 7
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'); // 8
    s.pullRequest({ author: 'alice' }).approvedBy('bob').approvedBy('carol').status('ci/jenkins', 'failure'); // 9
  }
  const base: Outcome[] = ['compliant', 'non_compliant', 'non_compliant', 'non_compliant', 'pending', 'pending', 'pending', 'compliant', 'non_compliant'];
  return {
    s,
    truth: (repo, n) => {
      if (!REPOS.includes(repo)) return undefined;
      if (repo === 'acme/ops' && n === 8) return 'pending'; // one approval of two
      return base[n - 1];
    },
  };
}

/** Every webhook that re-evaluates a pull request of the fleet. */
function triggers(sim: GitHubSimulator, repo: string, number: number): Array<() => Delivery> {
  const r = sim.world.repo(repo);
  const pr = r.pulls.get(number)!;
  const head = pr.commits.at(-1)!;
  const id = () => randomUUID();
  const out: Array<() => Delivery> = [
    () => ({ id: id(), event: 'pull_request', payload: pullRequestPayload(sim, repo, number, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] }),
    () => ({ id: id(), event: 'pull_request', payload: pullRequestPayload(sim, repo, number, 'labeled', { installationId: INSTALLATION_ID }), expect: ['evaluation'] }),
  ];
  const review = pr.reviews.at(-1);
  if (review) out.push(() => ({ id: id(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, repo, number, review.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] }));
  const run = r.checkRuns.find((c) => c.headSha === head && c.name === 'ci');
  if (run) out.push(() => ({ id: id(), event: 'check_run', payload: checkRunPayload(sim, repo, run.id, 'completed', { installationId: INSTALLATION_ID }), expect: ['evaluation'] }));
  const status = r.statuses.find((st) => st.sha === head);
  if (status) out.push(() => ({ id: id(), event: 'status', payload: statusPayload(sim, repo, status.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] }));
  return out;
}

type Menu = Array<(r: ReturnType<typeof seeded>) => { route: string; fault: Fault; times: number; after: number } | { field: FieldFault; times: number; after: number }>;

const ROUTES_WRITTEN = ['POST /repos/{owner}/{repo}/check-runs', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}'];
const FIELDS = [
  'PullRequest.reviews', 'PullRequest.commits', 'PullRequest.labels', 'Commit.authors', 'Commit.checkSuites', 'CheckSuite.checkRuns', 'Commit.status',
  'Status.combinedContexts', 'PullRequestReview.authorCanPushToRepository', 'Commit.file', 'Blob.text', 'PullRequest.headRefOid',
];

/** The faults a round draws from (route or field, how many requests, after how many good ones). */
const MENU: Menu = [
  (r) => ({ route: 'POST /graphql', fault: { kind: 'status', status: r.pick([500, 502, 503]) }, times: r.int(1, 12), after: r.int(0, 3) }),
  (r) => ({ route: 'POST /graphql', fault: { kind: 'status', status: 504, message: 'We couldn\'t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.' }, times: r.int(1, 6), after: r.int(0, 3) }),
  (r) => ({ route: 'POST /graphql', fault: { kind: 'secondary-rate-limit', retryAfter: r.int(1, 3), status: r.pick([403, 429] as const) }, times: r.int(1, 5), after: r.int(0, 3) }),
  (r) => ({ route: 'POST /graphql', fault: { kind: 'primary-rate-limit', resetInSeconds: r.int(1, 2) }, times: r.int(1, 2), after: r.int(0, 3) }),
  (r) => ({ route: 'POST /graphql', fault: { kind: 'delay', ms: r.int(50, 300) }, times: r.int(1, 6), after: 0 }),
  (r) => ({ route: 'POST /graphql', fault: { kind: 'reset' }, times: r.int(1, 6), after: r.int(0, 3) }),
  (r) => ({ route: r.pick(ROUTES_WRITTEN), fault: r.pick<Fault>([{ kind: 'status', status: 502 }, { kind: 'status', status: 504 }, { kind: 'reset' }, { kind: 'secondary-rate-limit', retryAfter: 1 }]), times: r.int(1, 16), after: r.int(0, 2) }),
  (r) => ({ route: 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', fault: { kind: 'status', status: r.pick([500, 502]) }, times: r.int(1, 8), after: 0 }),
  (r) => ({ route: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', fault: r.pick<Fault>([{ kind: 'status', status: 502 }, { kind: 'reset' }, { kind: 'secondary-rate-limit', retryAfter: 2 }]), times: r.int(1, 8), after: 0 }),
  (r) => ({ route: 'GET /repos/{owner}/{repo}/contents/{path}', fault: { kind: 'status', status: r.pick([500, 502, 503]) }, times: r.int(1, 12), after: 0 }),
  (r) => ({ route: 'POST /app/installations/{installation_id}/access_tokens', fault: { kind: 'status', status: 500 }, times: r.int(1, 4), after: 0 }),
  (r) => ({ route: '*', fault: { kind: 'secondary-rate-limit', retryAfter: r.int(1, 2) }, times: r.int(1, 4), after: r.int(0, 5) }),
  (r) => ({ field: { field: r.pick(FIELDS), type: r.pick(['INTERNAL', 'FORBIDDEN', 'SERVICE_UNAVAILABLE', 'TIMEOUT']), message: 'Something went wrong while executing your query. Please include `0000:0000:0000000:0000000:00000000` when reporting this issue.' }, times: r.int(1, 8), after: r.int(0, 4) }),
  (r) => ({ field: { field: r.pick(FIELDS), type: 'FORBIDDEN', message: 'Resource not accessible by integration' }, times: r.int(1, 8), after: r.int(0, 4) }),
];

describe.runIf(RELIABILITY)('GitHub failing under the app', () => {
  it('a seeded storm of faults over 27 pull requests: no false success at any point, the right verdicts once it stops', async () => {
    const { s, truth } = fleet();
    const { sim, app } = await env.start(s, { settings: SETTINGS });
    const random = seeded(20260501);
    const sent: Delivery[] = [];
    const ROUNDS = 8;
    const all = REPOS.flatMap((repo) => [...sim.world.repo(repo).pulls.keys()].map((n) => ({ repo, n })));

    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < 4; k++) {
        const f = random.pick(MENU)(random);
        if ('field' in f) sim.faults.addField(f.field, f.times, { after: f.after });
        else sim.faults.add(f.route, f.fault, f.times, { after: f.after });
      }
      // The first round opens every pull request; later rounds send a random dozen of their events.
      const batch = round === 0 ? all.map(({ repo, n }) => triggers(sim, repo, n)[0]!()) : Array.from({ length: 12 }, () => {
        const { repo, n } = random.pick(all);
        return random.pick(triggers(sim, repo, n))();
      });
      sent.push(...batch);
      await deliverAll(app, batch);
      await app.worker.idle();
      const wrong = falseSuccesses(sim, await app.entries(), REPOS, truth, { settled: false });
      figures.falseSuccesses += wrong.length;
      expect(wrong, `round ${round}`).toEqual([]);
    }

    // The faults stop. Automatic re-evaluations and the recovery run (which retries
    // what was given up on) bring every pull request to its verdict; one whose
    // automatic re-evaluations all met faults needs the "Re-run" its check run asks for.
    const served = sim.faults.served.length;
    sim.faults.clear();
    await app.worker.idle(2_000);
    const recovery = await app.recovery.runNow();
    await app.worker.idle(2_000);
    const afterStorm = await latest(app);
    const reRuns: string[] = [];
    for (const { repo, n } of all) {
      if (afterStorm.get(`${repo}#${n}`) !== 'error') continue;
      reRuns.push(`${repo}#${n}`);
      const ours = shownRun(sim, repo, sim.world.repo(repo).pulls.get(n)!.commits.at(-1)!);
      expect(ours?.output.title, `${repo}#${n}`).toMatch(/^Evaluation error: .*Re-run to retry$/);
      const d: Delivery = { id: randomUUID(), event: 'check_run', payload: checkRunPayload(sim, repo, ours!.id, 'rerequested', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
      sent.push(d);
      await deliverAll(app, [d]);
    }
    await app.worker.idle(2_000);

    const final = await latest(app);
    for (const { repo, n } of all) {
      const shown = shownRun(sim, repo, sim.world.repo(repo).pulls.get(n)!.commits.at(-1)!);
      expect({ pr: `${repo}#${n}`, outcome: final.get(`${repo}#${n}`) }).toEqual({ pr: `${repo}#${n}`, outcome: truth(repo, n) });
      expect(shown, `${repo}#${n}`).toMatchObject(expectedRun(truth(repo, n)!));
    }
    const wrong = falseSuccesses(sim, await app.entries(), REPOS, truth, { settled: true });
    figures.falseSuccesses += wrong.length;
    expect(wrong).toEqual([]);
    await account(app, sent);
    expect(app.worker.stalledCount()).toBe(0);
    figures.faultsInjected += served;
    figures.note('storm', { rounds: ROUNDS, faultsServed: served, errorVerdicts: (await app.entries('evaluation')).filter((e) => verdictOf(e).outcome === 'error').length, stalledRetried: recovery.stalledRetried, reRunsNeeded: reRuns.length });
    expect(served).toBeGreaterThan(50);
    const report = await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) });
    expect(report.failure).toBeNull();
  });

  /** A pull request that a missing piece of evidence would make look compliant. */
  const PARTIAL: Array<{ field: string; build: (s: ScenarioBuilder) => ScenarioBuilder; truth: Outcome; times?: number; also?: { route: string; fault: Fault } }> = [
    { field: 'PullRequest.reviews', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').review('carol', 'CHANGES_REQUESTED').check('ci', 'success'), truth: 'non_compliant' },
    { field: 'PullRequest.commits', build: (s) => s.pullRequest({ author: 'alice' }).commit({ author: { name: 'Build Box', email: 'build@ci.internal' } }).approvedBy('bob').check('ci', 'success'), truth: 'non_compliant' },
    { field: 'Commit.authors', build: (s) => s.pullRequest({ author: 'alice', commits: 0 }).commit({ coAuthors: ['bob'] }).approvedBy('bob').check('ci', 'success'), truth: 'pending' },
    { field: 'Commit.checkSuites', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').check('lint', 'failure'), truth: 'non_compliant' },
    { field: 'CheckSuite.checkRuns', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').check('lint', 'failure'), truth: 'non_compliant' },
    { field: 'Commit.status', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').status('ci/jenkins', 'failure'), truth: 'non_compliant' },
    { field: 'Status.combinedContexts', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').status('ci/jenkins', 'failure'), truth: 'non_compliant' },
    { field: 'PullRequestReview.authorCanPushToRepository', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('erin').check('ci', 'success'), truth: 'pending' },
    { field: 'PullRequestReview.commit', build: (s) => s.pullRequest({ author: 'alice' }).approvedBy('bob').commit().check('ci', 'success'), truth: 'pending' },
    {
      field: 'Commit.file',
      build: (s) => s.file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 2\n').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'),
      truth: 'pending',
      times: 1, // the repository's own file only, once
      also: { route: 'GET /repos/{owner}/{repo}/contents/{path}', fault: { kind: 'status', status: 502 } },
    },
    {
      field: 'Blob.text',
      build: (s) => s.file('.github/changeproof.yml', 'peer_review:\n  required_approvals: 2\n').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'),
      truth: 'pending',
      times: 1,
      also: { route: 'GET /repos/{owner}/{repo}/contents/{path}', fault: { kind: 'reset' } },
    },
  ];

  it.each(PARTIAL)('a GraphQL error on $field alone: an error verdict (never compliant), then $truth once it answers', async ({ field, build, truth, times, also }) => {
    const s = build(acmeScenario().user('erin', { canPush: false }));
    const { sim, app } = await env.start(s, { settings: { ...SETTINGS, reevaluationDelaysMs: [400] } });
    sim.faults.addField({ field, type: 'INTERNAL', message: 'Something went wrong while executing your query.' }, times ?? 1000);
    if (also) sim.faults.add(also.route, also.fault, 1000);
    const d: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    await deliverAll(app, [d]);
    await app.worker.idle();
    const during = (await app.entries('evaluation')).map((e) => verdictOf(e).outcome);
    const runDuring = shownRun(sim, 'acme/api', s.headSha());
    const wrong = falseSuccesses(sim, await app.entries(), ['acme/api'], () => truth, { settled: true });
    figures.falseSuccesses += wrong.length;
    expect(wrong).toEqual([]);
    expect(during.length).toBeGreaterThan(0);
    if (times === undefined) {
      // The automatic re-evaluations that fall inside the fault are errors too.
      expect(new Set(during)).toEqual(new Set(['error']));
      expect(runDuring).toMatchObject({ conclusion: 'FAILURE' });
      expect(runDuring!.output.title).toMatch(/^Evaluation error: /);
    } else {
      // A single failed read of the file: the app asks again and must not fall back to the defaults.
      expect(during.filter((o) => o !== 'error' && o !== truth)).toEqual([]);
    }

    figures.faultsInjected += sim.faults.served.length;
    sim.faults.clear();
    await app.worker.idle(1_000); // the automatic re-evaluation
    const outcomes = (await app.entries('evaluation')).map((e) => verdictOf(e).outcome);
    expect(outcomes.at(-1)).toBe(truth);
    expect(outcomes.slice(0, during.length)).toEqual(during);
    expect(shownRun(sim, 'acme/api', s.headSha())).toMatchObject(expectedRun(truth));
    await account(app, [d]);
  });

  it('a check run GitHub will not update through a long outage is corrected once GitHub answers: no stale success', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: SETTINGS });
    const opened: Delivery = { id: randomUUID(), event: 'pull_request', payload: pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    await deliverAll(app, [opened]);
    await app.worker.idle();
    expect(ourRuns(sim, 'acme/api')).toMatchObject([{ conclusion: 'SUCCESS' }]);

    // Carol requests changes while GitHub refuses every check-run write, longer than all attempts.
    const changed = (await app.ledger.head()).size + 1;
    s.review('carol', 'CHANGES_REQUESTED');
    sim.faults.add('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { kind: 'status', status: 502 }, 1000);
    const review: Delivery = { id: randomUUID(), event: 'pull_request_review', payload: pullRequestReviewPayload(sim, 'acme/api', 1, s.pr().reviews.at(-1)!.id, { installationId: INSTALLATION_ID }), expect: ['evaluation'] };
    await deliverAll(app, [review]);
    await app.worker.idle();
    expect((await app.entries('evaluation')).map((e) => verdictOf(e).outcome)).toEqual(['compliant', 'non_compliant']);
    expect(app.worker.stalledCount()).toBe(1); // every attempt failed: given up for now
    figures.faultsInjected += sim.faults.served.length;

    // GitHub answers again; the next recovery run finishes the delivery.
    sim.faults.clear();
    const run = await app.recovery.runNow();
    expect(run.stalledRetried).toBe(1);
    await app.worker.idle();
    expect(ourRuns(sim, 'acme/api')).toMatchObject([{ conclusion: 'FAILURE', output: { title: 'Not compliant: changes requested by @carol' } }]);
    expect(app.worker.stalledCount()).toBe(0);
    expect(await app.ledger.inbox.pending()).toEqual([]);
    const wrong = falseSuccesses(sim, await app.entries(), ['acme/api'], () => 'non_compliant', { settled: true, fromSeq: changed });
    figures.falseSuccesses += wrong.length;
    expect(wrong).toEqual([]);
    await account(app, [opened, review]);
  });
});
