import { toGitHubEvidenceError } from '../../github/errors.js';
import type { GitHubClient } from '../../github/octokit.js';
import { ROUTES } from '../../github/routes.js';
import type { Ledger } from '../../ledger/index.js';
import type { Payload } from '../jobs/job.js';
import { changesRecordedSince } from '../jobs/recorded-changes.js';

export interface SweepReport {
  repositories: number;
  merged: number;
  /** Synthetic deliveries queued for merges the ledger never saw, `owner/name#number`. */
  queued: string[];
}

interface RestPull {
  number: number;
  updated_at: string;
  merged_at: string | null;
  merged_by?: { login: string } | null;
  user: { login: string } | null;
}

/**
 * Finds pull requests merged since `since` that have no change record — their
 * webhook never arrived or was lost — and queues each as a `pull_request`
 * `closed` delivery, so the worker records it like any merge. Reads each
 * installation's repositories and their recently updated closed pull requests
 * (newest first, stopping at `since`), one request at a time; Octokit's
 * throttling keeps it within GitHub's rate limits. Merges younger than
 * `settleMs` are left to their own webhook.
 *
 * @example await sweepMerged({ ledger, appClient, installationClient, now }, { since });
 */
export async function sweepMerged(
  deps: { ledger: Ledger; appClient: () => Promise<GitHubClient>; installationClient: (id: number) => Promise<GitHubClient>; now: () => Date },
  options: { since: Date; settleMs: number; maxPages?: number },
): Promise<SweepReport> {
  const report: SweepReport = { repositories: 0, merged: 0, queued: [] };
  const app = await deps.appClient();
  const installations = await pages<{ id: number }>(app, ROUTES.listInstallations, {}, options.maxPages, (d) => d as { id: number }[]);
  const youngest = deps.now().getTime() - options.settleMs;
  for (const installation of installations) {
    const client = await deps.installationClient(installation.id);
    const repos = await pages<Payload>(client, ROUTES.listInstallationRepositories, {}, options.maxPages, (d) => (d as { repositories: Payload[] }).repositories);
    for (const repo of repos) {
      report.repositories++;
      const fullName = String(repo['full_name']);
      const recorded = await changesRecordedSince(deps.ledger, fullName, options.since);
      const merged = await recentlyMerged(client, repo, options);
      for (const pr of merged) {
        report.merged++;
        if (recorded.has(`pull/${pr['number']}`) || Date.parse(String(pr['merged_at'])) > youngest) continue;
        const id = `sweep:${fullName}#${pr['number']}:${pr['merged_at']}`;
        const payload = { action: 'closed', number: pr['number'], pull_request: pr, repository: repo, installation: { id: installation.id }, sender: pr['merged_by'] ?? pr['user'] };
        const { accepted } = await deps.ledger.inbox.accept(id, 'pull_request', JSON.stringify(payload));
        if (accepted) report.queued.push(`${fullName}#${pr['number']}`);
      }
    }
  }
  return report;
}

async function recentlyMerged(client: GitHubClient, repo: Payload, options: { since: Date; maxPages?: number }): Promise<Payload[]> {
  const owner = String(repo['owner']['login']);
  const name = String(repo['name']);
  const out: Payload[] = [];
  for (let page = 1; page <= (options.maxPages ?? 20); page++) {
    let data: RestPull[];
    try {
      ({ data } = (await client.request(ROUTES.listPullRequests, { owner, repo: name, state: 'closed', sort: 'updated', direction: 'desc', per_page: 100, page })) as { data: RestPull[] });
    } catch (error) {
      throw toGitHubEvidenceError(error, `the closed pull requests of ${owner}/${name}`);
    }
    for (const pr of data) if (pr.merged_at && Date.parse(pr.merged_at) >= options.since.getTime()) out.push(pr as unknown as Payload);
    if (data.length < 100 || Date.parse(data.at(-1)!.updated_at) < options.since.getTime()) break;
  }
  return out;
}

async function pages<T>(client: GitHubClient, route: string, params: Record<string, unknown>, maxPages = 20, items: (data: unknown) => T[]): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    let data: unknown;
    try {
      ({ data } = await client.request(route, { ...params, per_page: 100, page }));
    } catch (error) {
      throw toGitHubEvidenceError(error, route);
    }
    const batch = items(data);
    out.push(...batch);
    if (batch.length < 100) break;
  }
  return out;
}
