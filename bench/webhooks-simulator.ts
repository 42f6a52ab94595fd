// The GitHub simulator process of `bench/webhooks.ts` (not run on its own).
// It builds the bench's world — many pull requests in two repositories of one
// installation — serves GitHub's API for it, prepares the webhook payloads the
// bench delivers, and answers the parent's questions over IPC: request counts
// per route and the CPU time it spent serving them. With BENCH_STORM (JSON) it
// serves the world of `--storm` instead (bench/webhooks-storm-simulator.ts).
import { scenario } from '../test/support/scenario.js';
import { startGitHubSimulator } from '../test/support/simulator/server.js';
import { pullRequestPayload, pullRequestReviewPayload } from '../test/support/webhooks.js';
import { stormSimulator } from './webhooks-storm-simulator.js';

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
/** 200 pull requests, in two repositories unless BENCH_REPOS says how many. */
const REPO_COUNT = Math.max(1, Number(process.env['BENCH_REPOS'] ?? 2));
const REPOS = Array.from({ length: REPO_COUNT }, (_, i) => ['acme/payments-api', 'acme/web'][i] ?? `acme/service-${i + 1}`);
const PULLS_PER_REPO = Math.ceil(200 / REPO_COUNT);

/** A webhook the bench sends: event name and JSON body (signed by the parent). */
export interface BenchPayload {
  event: string;
  body: string;
  label: string;
}

export type SimulatorRequest = { id: number; type: 'counts' } | { id: number; type: 'close' };

async function main(): Promise<void> {
  if (process.env['BENCH_STORM']) return stormSimulator(JSON.parse(process.env['BENCH_STORM']));
  const s = scenario({ start: '2026-03-02T09:00:00Z' })
    .installation({ id: INSTALLATION_ID, account: 'acme', appId: APP_ID })
    .user('alice').user('bob').user('carol').user('dave').user('erin');
  const authors = ['alice', 'bob', 'carol', 'dave', 'erin'];
  for (const [r, fullName] of REPOS.entries()) {
    // One repository with a policy file of its own (read in the evaluation's one query), one on the defaults.
    s.repo(fullName, r === 0 ? { files: { '.github/changeproof.yml': 'checks:\n  required: [build, test]\nchange_request:\n  ticket_pattern: null\n' } } : {});
    for (let n = 1; n <= PULLS_PER_REPO; n++) {
      const author = authors[(n + r) % authors.length]!;
      const reviewer = authors[(n + r + 1) % authors.length]!;
      s.pullRequest({ author, commits: 1 + (n % 4), title: `PAY-${n}: change ${n}`, body: `Implements PAY-${n}.` });
      if (n % 3 === 0) s.review(reviewer, 'COMMENTED');
      // Most are approved on the head, some on an earlier commit (stale), some not yet.
      if (n % 5 !== 0) s.approvedBy(reviewer, n % 7 === 0 && n % 4 !== 0 ? { on: 0 } : {});
      s.check('build', 'success').check('test', n % 11 === 0 ? 'failure' : 'success').check('lint', n % 13 === 0 ? 'in_progress' : 'success');
      if (n % 2 === 0) s.status('ci/jenkins', 'success');
    }
  }
  const sim = await startGitHubSimulator(s);

  // For every pull request: `opened`, `synchronize`, and `pull_request_review` `submitted` for each submitted review.
  const payloads: BenchPayload[] = [];
  for (const fullName of REPOS) {
    for (const pr of sim.world.repo(fullName).pulls.values()) {
      for (const action of ['opened', 'synchronize']) {
        payloads.push({ event: 'pull_request', label: `pull_request.${action}`, body: JSON.stringify(pullRequestPayload(sim, fullName, pr.number, action, { installationId: INSTALLATION_ID })) });
      }
      for (const review of pr.reviews) {
        payloads.push({ event: 'pull_request_review', label: 'pull_request_review.submitted', body: JSON.stringify(pullRequestReviewPayload(sim, fullName, pr.number, review.id, { installationId: INSTALLATION_ID })) });
      }
    }
  }
  // Interleave deterministically, so consecutive deliveries hit different pull requests and both repositories.
  let seed = 0x2545f491;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = payloads.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [payloads[i], payloads[j]] = [payloads[j]!, payloads[i]!];
  }

  let cpu = process.cpuUsage();
  process.on('message', (message: SimulatorRequest) => {
    if (message.type === 'counts') {
      // Counts and CPU since the last question, then start afresh.
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const counts = sim.counts();
      sim.resetRequests();
      process.send!({ id: message.id, counts, cpuMs: (used.user + used.system) / 1000 });
    } else if (message.type === 'close') {
      void sim.close().then(() => {
        process.send!({ id: message.id });
        process.disconnect();
      });
    }
  });
  process.send!({ type: 'ready', apiUrl: sim.apiUrl, payloads });
}

// Started by bench/webhooks.ts; gone with it.
if (process.send) {
  process.on('disconnect', () => process.exit(0));
  await main();
}
