import type { RunningApp } from '../../test/support/app-harness.js';
import type { ScenarioBuilder } from '../../test/support/scenario.js';
import type { GitHubSimulator } from '../../test/support/simulator/server.js';
import type { SimPullRequest, SimRepo } from '../../test/support/simulator/world.js';
import {
  checkRunPayload, deploymentProtectionRulePayload, deploymentStatusPayload, pullRequestPayload, pullRequestReviewPayload, pushPayload, statusPayload,
} from '../../test/support/webhooks.js';
import type { DayPlan, DeploymentEvent, DirectPushEvent, LateApprovalEvent, PullRequestEvent, RepoName } from './plan.js';
import { deliveryId, Random } from './random.js';

const DEPLOY_BOT = 'github-actions[bot]';
/** acme/web's CI reports a commit status (an external CI service) rather than check runs. */
const WEB_CI_CONTEXT = 'ci/build';
const WEB_CI_SERVICE = 'buildkite';

/** Simulated minutes between the steps of a pull request (a day holds nine or ten of them, one after another). */
const CI: [number, number] = [4, 8];
const REVIEW: [number, number] = [5, 25];
const FIX: [number, number] = [5, 20];
const QUICK: [number, number] = [1, 5];
const MERGE: [number, number] = [1, 6];

export interface DeploymentOutcome {
  repo: RepoName;
  sha: string;
  at: string;
  state: 'approved' | 'rejected';
  comment: string;
}

/** What was replayed, counted as it happened. */
export interface ReplayCounts {
  webhooks: number;
  webhooksByEvent: Record<string, number>;
  pullRequests: Record<RepoName, number>;
  directPushes: number;
  deployments: DeploymentOutcome[];
}

export interface WeekProgress {
  week: string;
  lastDay: string;
  pullRequests: number;
  deployments: number;
  approved: number;
  /** Webhooks delivered that week. */
  webhooks: number;
}

/**
 * Replays a planned month against the GitHub simulator and the real app:
 * each step changes the simulated GitHub (through the scenario builders or,
 * for an earlier pull request, its data) and then delivers the webhook GitHub
 * would send, signed, over HTTP, waiting until the app has finished with it.
 */
export class Replay {
  readonly counts: ReplayCounts = { webhooks: 0, webhooksByEvent: {}, pullRequests: { 'acme/api': 0, 'acme/web': 0 }, directPushes: 0, deployments: [] };
  private readonly rnd: Random;
  private readonly lastDeployed = new Map<RepoName, string>();
  private emergency: { repo: RepoName; pr: SimPullRequest } | null = null;

  constructor(
    private readonly sim: GitHubSimulator,
    private readonly app: RunningApp,
    private readonly builders: Record<RepoName, ScenarioBuilder>,
    private readonly installationId: number,
    private readonly seed: string,
  ) {
    this.rnd = new Random(`${seed}/timing`);
    // Production already runs what the default branches held before March.
    for (const [name, builder] of Object.entries(builders) as Array<[RepoName, ScenarioBuilder]>) {
      const repo = builder.currentRepository();
      this.lastDeployed.set(name, repo.branches.get(repo.defaultBranch)!);
    }
  }

  async run(days: DayPlan[], onWeek: (progress: WeekProgress) => void): Promise<void> {
    let week = null as WeekProgress | null;
    let webhooksBefore = 0;
    const report = () => {
      if (week) onWeek({ ...week, webhooks: this.counts.webhooks - webhooksBefore });
    };
    for (const day of days) {
      if (week?.week !== day.week) {
        report();
        week = { week: day.week, lastDay: day.date, pullRequests: 0, deployments: 0, approved: 0, webhooks: 0 };
        webhooksBefore = this.counts.webhooks;
      }
      week.lastDay = day.date;
      for (const event of day.events) {
        this.advanceTo(event.at);
        switch (event.type) {
          case 'pull_request':
            await this.pullRequest(event);
            week.pullRequests += 1;
            break;
          case 'deployment': {
            const outcome = await this.deploy(event);
            if (outcome) {
              week.deployments += 1;
              if (outcome.state === 'approved') week.approved += 1;
            }
            break;
          }
          case 'direct_push':
            await this.directPush(event);
            break;
          case 'late_approval':
            await this.lateApproval(event);
            break;
        }
      }
      if (this.sim.world.now() > `${day.date}T23:59:00Z`) throw new Error(`the replay of ${day.date} ran past midnight: plan fewer pull requests a day`);
    }
    report();
  }

  // ---- pull requests -------------------------------------------------------

  private async pullRequest(e: PullRequestEvent): Promise<void> {
    const s = this.builders[e.repo];
    const repo = s.currentRepository();
    s.pullRequest({
      author: e.author, commits: e.flow === 'contributor_approval' ? 0 : e.commits, title: e.title, body: e.body,
      labels: e.flow === 'emergency' ? ['emergency'] : [], headRef: `${e.author}/${e.title.split(':')[0]!.toLowerCase()}`,
    });
    const pr = s.pr();
    if (e.flow === 'contributor_approval') {
      // Pair-programmed: the pair is a co-author of the work, so cannot be its independent reviewer.
      for (let i = 0; i < e.commits; i += 1) s.commit({ coAuthors: [e.pair] });
    }
    await this.deliver('pull_request', pullRequestPayload(this.sim, e.repo, pr.number, 'opened', { installationId: this.installationId }));
    this.wait(...CI);

    switch (e.flow) {
      case 'clean':
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'self_approval':
        await this.ci(e.repo, 'success');
        this.wait(...QUICK);
        await this.review(e.repo, pr, e.author, 'APPROVED'); // does not count: the author's own
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'contributor_approval':
        await this.ci(e.repo, 'success');
        this.wait(...QUICK);
        await this.review(e.repo, pr, e.pair, 'APPROVED'); // does not count: a co-author
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'stale_approval':
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        this.wait(...FIX);
        await this.pushCommit(e.repo, pr, 'Address review nit'); // the approval is now on an old commit
        this.wait(...CI);
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'changes_requested':
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'CHANGES_REQUESTED');
        this.wait(...FIX);
        await this.pushCommit(e.repo, pr, 'Handle the empty case, as requested');
        this.wait(...CI);
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'ci_fix_commit':
        await this.ci(e.repo, 'failure');
        this.wait(...FIX);
        await this.pushCommit(e.repo, pr, 'Fix the failing test');
        this.wait(...CI);
        await this.ci(e.repo, 'success');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'ci_rerun':
        await this.ci(e.repo, 'failure');
        this.wait(...QUICK);
        await this.ci(e.repo, 'success', { rerun: true }); // a flaky test, re-run
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED');
        break;
      case 'admin_bypass':
        await this.ci(e.repo, 'failure');
        this.wait(...REVIEW);
        await this.review(e.repo, pr, e.reviewer, 'APPROVED'); // approved, but the tests still fail
        break;
      case 'emergency':
        await this.ci(e.repo, 'success');
        this.emergency = { repo: e.repo, pr };
        break;
    }
    this.wait(...MERGE);
    await this.merge(e.repo, repo, pr, e.merger);
    this.counts.pullRequests[e.repo] += 1;
  }

  /** CI on the pull request's head: acme/api runs `build` and `test` (check runs), acme/web reports a commit status. */
  private async ci(name: RepoName, outcome: 'success' | 'failure', options: { rerun?: boolean } = {}): Promise<void> {
    const s = this.builders[name];
    const repo = s.currentRepository();
    if (name === 'acme/api') {
      const runs = options.rerun ? (['test'] as const) : (['build', 'test'] as const);
      for (const check of runs) {
        s.check(check, check === 'test' ? outcome : 'success');
        await this.deliver('check_run', checkRunPayload(this.sim, name, repo.checkRuns.at(-1)!.id, 'completed', { installationId: this.installationId, sender: DEPLOY_BOT }));
        this.wait(1, 4);
      }
    } else {
      s.status(WEB_CI_CONTEXT, outcome, { creator: WEB_CI_SERVICE, targetUrl: `https://buildkite.com/acme/web/builds/${this.sim.world.nextId()}` });
      await this.deliver('status', statusPayload(this.sim, name, repo.statuses.at(-1)!.id, { installationId: this.installationId }));
    }
  }

  private async review(name: RepoName, pr: SimPullRequest, login: string, state: 'APPROVED' | 'CHANGES_REQUESTED'): Promise<void> {
    const body = state === 'APPROVED' ? 'LGTM' : 'What happens when the list is empty? Please handle it and add a test.';
    if (this.builders[name].pr() === pr) this.builders[name].review(login, state, { body });
    else pr.reviews.push({ id: this.sim.world.nextId(), author: login, state, body, submittedAt: this.sim.world.tick(), commitSha: pr.commits.at(-1)! });
    await this.deliver('pull_request_review', pullRequestReviewPayload(this.sim, name, pr.number, pr.reviews.at(-1)!.id, { installationId: this.installationId }));
  }

  /** A new commit on the pull request's branch (`synchronize`). */
  private async pushCommit(name: RepoName, pr: SimPullRequest, message: string): Promise<void> {
    const before = pr.commits.at(-1)!;
    this.builders[name].commit({ message });
    const payload = pullRequestPayload(this.sim, name, pr.number, 'synchronize', { installationId: this.installationId });
    Object.assign(payload, { before, after: pr.commits.at(-1)! });
    await this.deliver('pull_request', payload);
  }

  private async merge(name: RepoName, repo: SimRepo, pr: SimPullRequest, by: string): Promise<void> {
    const before = repo.branches.get(repo.defaultBranch)!;
    this.builders[name].merge({ by });
    const after = repo.branches.get(repo.defaultBranch)!;
    await this.deliver('pull_request', pullRequestPayload(this.sim, name, pr.number, 'closed', { installationId: this.installationId, sender: by }));
    await this.deliver('push', pushPayload(this.sim, name, { before, after, pusher: by, installationId: this.installationId }));
  }

  // ---- the rest of the month -----------------------------------------------

  private async lateApproval(e: LateApprovalEvent): Promise<void> {
    if (!this.emergency) return;
    await this.review(this.emergency.repo, this.emergency.pr, e.reviewer, 'APPROVED');
  }

  private async directPush(e: DirectPushEvent): Promise<void> {
    const s = this.builders[e.repo];
    const repo = s.currentRepository();
    const before = repo.branches.get(repo.defaultBranch)!;
    s.file(e.path, e.content, { author: e.pusher });
    const after = repo.branches.get(repo.defaultBranch)!;
    await this.deliver('push', pushPayload(this.sim, e.repo, { before, after, pusher: e.pusher, installationId: this.installationId }));
    this.counts.directPushes += 1;
  }

  /**
   * A deployment of the default branch's head to production, held by the
   * app's protection rule: GitHub asks (`deployment_protection_rule`), the app
   * answers through the callback, and an approved deployment reports success.
   * Nothing new since the last attempt (or since February): no deployment.
   */
  private async deploy(e: DeploymentEvent): Promise<DeploymentOutcome | null> {
    const s = this.builders[e.repo];
    const repo = s.currentRepository();
    const sha = repo.branches.get(repo.defaultBranch)!;
    if (this.lastDeployed.get(e.repo) === sha) return null;
    this.lastDeployed.set(e.repo, sha);
    s.deployment({ sha, environment: 'production', creator: DEPLOY_BOT });
    const deployment = repo.deployments.at(-1)!;
    const asked = this.sim.world.protectionCallbacks.length;
    await this.deliver('deployment_protection_rule', deploymentProtectionRulePayload(this.sim, e.repo, {
      sha, environment: 'production', installationId: this.installationId, sender: e.deployer, creator: DEPLOY_BOT, deploymentId: deployment.id,
    }));
    const answer = this.sim.world.protectionCallbacks.slice(asked)[0];
    if (!answer || (answer.body.state !== 'approved' && answer.body.state !== 'rejected')) {
      throw new Error(`the app did not answer the deployment protection rule for ${e.repo}@${sha.slice(0, 7)}`);
    }
    const outcome: DeploymentOutcome = { repo: e.repo, sha, at: answer.at, state: answer.body.state, comment: answer.body.comment ?? '' };
    this.counts.deployments.push(outcome);
    if (outcome.state === 'approved') {
      this.wait(3, 8);
      const payload = deploymentStatusPayload(this.sim, e.repo, { deploymentId: deployment.id, sha, state: 'success', creator: DEPLOY_BOT, installationId: this.installationId });
      const status = payload['deployment_status'] as { id: number; created_at: string };
      deployment.statuses.push({ id: status.id, state: 'success', creator: DEPLOY_BOT, createdAt: status.created_at, description: 'Deployed' });
      await this.deliver('deployment_status', payload);
    }
    return outcome;
  }

  // ---- plumbing ------------------------------------------------------------

  private async deliver(event: string, payload: object): Promise<void> {
    this.counts.webhooks += 1;
    this.counts.webhooksByEvent[event] = (this.counts.webhooksByEvent[event] ?? 0) + 1;
    const res = await this.app.deliverAndSettle(event, payload, { deliveryId: deliveryId(this.seed, this.counts.webhooks) });
    if (!res.ok) throw new Error(`the app answered ${res.status} to a ${event} webhook: ${await res.text()}`);
  }

  /** Moves the simulated clock to `minutes` since the epoch (never back). */
  private advanceTo(minutes: number): void {
    const ahead = minutes - Math.floor(Date.parse(this.sim.world.now()) / 60_000);
    if (ahead > 0) this.sim.world.tick(ahead);
  }

  private wait(min: number, max: number): void {
    this.sim.world.tick(this.rnd.int(min, max));
  }
}
