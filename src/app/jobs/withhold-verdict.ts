import { CHECK_RUN_NAME } from '../../core/constants.js';
import type { GitHubClient } from '../../github/octokit.js';
import { latestShownRun, publishCheckRun } from '../../github/publish-check-run.js';
import type { PublishedCheckRuns } from '../../github/published-check-runs.js';

/** Why re-evaluations of an installation wait: the limit nearly spent, as GitHub last stated it. */
export interface Deferral {
  resource: string;
  remaining: number;
  limit: number;
  /** When GitHub resets the limit (ISO); the re-evaluations run just after. */
  resetsAt: string;
}

/**
 * While re-evaluations of a head commit wait for the installation's rate
 * limit, a passing verdict shown on it may no longer hold (a review was
 * dismissed, a check failed): the pull request must not merge on it. When
 * the head shows `success` or `neutral`, the verdict is withdrawn — a new
 * `in_progress` run (GitHub does not reopen a completed one) saying what waits
 * and until when. What the head shows is known without a request when this
 * process wrote it; otherwise (another replica wrote it, or this process has
 * restarted since) it is read from GitHub: one read and at most one write,
 * from the reserve kept for such work. Nothing is recorded, as nothing was
 * judged. Returns whether it wrote.
 *
 * @example await withholdVerdict(octokit, 'acme/api', headSha, deferral, { published, now, waiting: 3 });
 */
export async function withholdVerdict(
  octokit: GitHubClient,
  repository: string,
  headSha: string,
  deferral: Deferral,
  options: { published: PublishedCheckRuns; now: () => Date; waiting: number; appId?: number | null },
): Promise<boolean> {
  const key = `${repository}@${headSha}#${CHECK_RUN_NAME}`;
  const [owner, repo] = repository.split('/') as [string, string];
  const remembered = options.published.last(key);
  const shown = remembered
    ? { status: remembered.status, conclusion: remembered.conclusion }
    : await latestShownRun(octokit, { owner, repo, headSha }, options.appId ?? undefined);
  if (!shown || shown.status !== 'completed' || (shown.conclusion !== 'success' && shown.conclusion !== 'neutral')) return false;
  const limit = deferral.resource === 'graphql' ? 'GraphQL points' : 'REST requests';
  const deliveries = options.waiting === 1 ? '1 delivery' : `${options.waiting} deliveries`;
  options.published.forget(key);
  const written = await publishCheckRun(octokit, { owner, repo, headSha }, {
    status: 'in_progress',
    title: `Re-evaluation waiting until ${isoSeconds(deferral.resetsAt)}: GitHub's API limit is nearly spent`,
    summary: [
      `New activity on this commit (${deliveries}: checks finishing, reviews, edits) has not been judged yet.`,
      `This installation has ${deferral.remaining} of ${deferral.limit} ${limit} left until GitHub resets the limit at ${isoSeconds(deferral.resetsAt)};`,
      'Changeproof keeps the rest for merges, pushes and deployment gates and re-evaluates this pull request automatically once the limit resets.',
      '',
      'The earlier passing verdict is withdrawn until then, so that nothing merges on a verdict that may no longer hold.',
      'Every merge is still judged and recorded on the facts at the time of the merge.',
    ].join('\n'),
  }, { now: options.now, checkRunId: null });
  options.published.remember(key, { checkRunId: written.id, digest: 'withheld', status: 'in_progress', conclusion: null, completedAt: null });
  return true;
}

function isoSeconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
