// The GitHub simulator of `bench/webhooks.ts --storm` (run inside the
// simulator process when BENCH_STORM is set; see bench/webhooks-storm.ts).
// It builds the storm's world — pull requests whose head has N check runs of
// a CI app still queued or in progress, no reviews yet — and, on the parent's
// word, changes it the way GitHub would just before sending a webhook
// (a check run completes, a review is submitted; a suite whose runs have all
// completed needs no change), answering with the payload
// of that webhook built from `@octokit/webhooks-examples`.
import { scenario } from '../test/support/scenario.js';
import { startGitHubSimulator } from '../test/support/simulator/server.js';
import { checkRunPayload, checkSuitePayload, pullRequestPayload, pullRequestReviewPayload } from '../test/support/webhooks.js';

/** What the parent asks for (in BENCH_STORM, JSON). */
export interface StormWorldConfig {
  pulls: number;
  repos: number;
  /** Check runs on each head, all pending when the storm starts. */
  checks: number;
  appId: number;
  installationId: number;
}

/** A pull request of the storm, as the parent plans its events. */
export interface StormPull {
  repo: string;
  number: number;
  author: string;
  head: string;
  /** The CI app's check runs on the head (pending), and their suite. */
  checkRunIds: number[];
  suiteId: number;
  /** `pull_request` `opened`, delivered (and evaluated) before the storm. */
  openedBody: string;
}

export type StormSimulatorRequest =
  | { id: number; type: 'storm-check'; repo: string; runId: number; conclusion: 'success' | 'failure' }
  | { id: number; type: 'storm-review'; repo: string; number: number; reviewer: string }
  | { id: number; type: 'storm-suite'; repo: string; suiteId: number }
  | { id: number; type: 'storm-state'; checkRunName: string }
  | { id: number; type: 'counts' }
  | { id: number; type: 'close' };

export const STORM_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const CI_APP = { slug: 'ci-runner', id: 31_337 };

export async function stormSimulator(config: StormWorldConfig): Promise<void> {
  const s = scenario({ start: '2026-03-02T09:00:00Z' }).installation({ id: config.installationId, account: 'acme', appId: config.appId });
  for (const user of STORM_USERS) s.user(user);
  const repos = Array.from({ length: config.repos }, (_, i) => `acme/storm-${i + 1}`);
  // Pull request i is in repository i mod R (a repository's pull requests are built together).
  const planned: Array<Omit<StormPull, 'openedBody'> & { index: number }> = [];
  for (const [r, repo] of repos.entries()) {
    s.repo(repo);
    for (let i = r; i < config.pulls; i += repos.length) {
      const author = STORM_USERS[i % STORM_USERS.length]!;
      s.pullRequest({ author, commits: 1 + (i % 3), title: `Storm change ${i + 1}`, body: 'Checks and reviews arrive at once.' });
      for (let c = 1; c <= config.checks; c++) s.check(`ci/job-${String(c).padStart(2, '0')}`, c % 2 ? 'queued' : 'in_progress', { app: CI_APP });
      const world = s.world.repo(repo);
      const number = Math.max(...world.pulls.keys());
      const head = world.pulls.get(number)!.commits.at(-1)!;
      const runs = world.checkRuns.filter((run) => run.headSha === head);
      planned.push({ index: i, repo, number, author, head, checkRunIds: runs.map((run) => run.id), suiteId: runs[0]!.suiteId });
    }
  }
  planned.sort((a, b) => a.index - b.index);
  const sim = await startGitHubSimulator(s);
  const pulls: StormPull[] = planned.map(({ index: _, ...p }) => ({
    ...p,
    openedBody: JSON.stringify(pullRequestPayload(sim, p.repo, p.number, 'opened', { installationId: config.installationId })),
  }));

  let cpu = process.cpuUsage();
  process.on('message', (message: StormSimulatorRequest) => {
    const reply = (body: object = {}) => process.send!({ id: message.id, ...body });
    switch (message.type) {
      case 'storm-check': {
        // The check run completes on GitHub, then GitHub sends `check_run` `completed`.
        const run = sim.world.repo(message.repo).checkRuns.find((r) => r.id === message.runId)!;
        run.status = 'COMPLETED';
        run.conclusion = message.conclusion.toUpperCase();
        run.completedAt = sim.world.tick();
        reply({ body: JSON.stringify(checkRunPayload(sim, message.repo, run.id, 'completed', { installationId: config.installationId, sender: 'acme' })) });
        break;
      }
      case 'storm-review': {
        // An approval on the head is submitted, then GitHub sends `pull_request_review` `submitted`.
        const pr = sim.world.repo(message.repo).pulls.get(message.number)!;
        const review = { id: sim.world.nextId(), author: message.reviewer, state: 'APPROVED' as const, body: 'LGTM', submittedAt: sim.world.tick(), commitSha: pr.commits.at(-1)! };
        pr.reviews.push(review);
        reply({ body: JSON.stringify(pullRequestReviewPayload(sim, message.repo, message.number, review.id, { installationId: config.installationId })) });
        break;
      }
      case 'storm-suite':
        // Its last run has completed: GitHub sends `check_suite` `completed`.
        reply({ body: JSON.stringify(checkSuitePayload(sim, message.repo, message.suiteId, { installationId: config.installationId, sender: 'acme' })) });
        break;
      case 'storm-state': {
        // The app's check runs (by name and app) on each head, oldest first.
        const state = pulls.map((p) => {
          const repo = sim.world.repo(p.repo);
          const ours = repo.checkRuns
            .filter((r) => r.headSha === p.head && r.name === message.checkRunName && repo.checkSuites.find((x) => x.id === r.suiteId)?.appId === config.appId)
            .map((r) => ({ id: r.id, status: r.status.toLowerCase(), conclusion: r.conclusion?.toLowerCase() ?? null, title: r.output.title }));
          return { repo: p.repo, number: p.number, head: p.head, ours };
        });
        reply({ state });
        break;
      }
      case 'counts': {
        const used = process.cpuUsage(cpu);
        cpu = process.cpuUsage();
        const counts = sim.counts();
        sim.resetRequests();
        reply({ counts, cpuMs: (used.user + used.system) / 1000 });
        break;
      }
      case 'close':
        void sim.close().then(() => {
          reply();
          process.disconnect();
        });
    }
  });
  process.send!({ type: 'ready', apiUrl: sim.apiUrl, pulls });
}
