import { CHECK_RUN_NAME } from '../core/constants.js';
import { statusOf, toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

export { CHECK_RUN_NAME };

/** GitHub's limit for `output.summary` and `output.text` (OpenAPI `maxLength`). */
const MAX_OUTPUT = 65535;

export interface CheckRunContent {
  status: 'queued' | 'in_progress' | 'completed';
  /** Required when `completed`. */
  conclusion?: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';
  title: string;
  /** Markdown; cut to GitHub's 65,535 characters with a note. */
  summary: string;
  text?: string;
  detailsUrl?: string;
  externalId?: string;
}

export interface PublishCheckRunOptions {
  now: () => Date;
  /**
   * Changeproof's check run on this SHA when the caller already knows it (the
   * collected facts list the head's check runs), which saves the look-up
   * request: an id updates that run, `null` means there is none yet (create
   * it), `undefined` means unknown (look it up by name first).
   */
  checkRunId?: number | null;
  /** Only consider runs created by this app when looking one up (the app's id). */
  appId?: number;
}

/**
 * Creates or updates the `Change control (CC8.1)` check run on `headSha`, so a
 * head SHA carries at most one: an update when the id is known or found by
 * name, a create otherwise. (Two evaluations of the same SHA racing could
 * still both create; the app serialises evaluations per pull request.)
 *
 * @example
 * await publishCheckRun(octokit, { owner: 'acme', repo: 'api', headSha }, {
 *   status: 'completed', conclusion: 'success', title: 'Compliant', summary: '| Rule | … |',
 * }, { now: () => new Date() });
 */
export async function publishCheckRun(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; headSha: string },
  content: CheckRunContent,
  options: PublishCheckRunOptions,
): Promise<{ id: number; created: boolean; url: string | null }> {
  if (content.status === 'completed' && !content.conclusion) {
    throw new Error('a completed check run needs a conclusion');
  }
  const now = options.now().toISOString();
  const body = {
    status: content.status,
    ...(content.status === 'completed' ? { conclusion: content.conclusion, completed_at: now } : {}),
    ...(content.detailsUrl ? { details_url: content.detailsUrl } : {}),
    ...(content.externalId ? { external_id: content.externalId } : {}),
    output: {
      title: content.title,
      summary: fit(content.summary),
      ...(content.text === undefined ? {} : { text: fit(content.text) }),
    },
  };
  const what = `the ${CHECK_RUN_NAME} check run on ${ref.owner}/${ref.repo}@${ref.headSha.slice(0, 7)}`;
  try {
    const existing = options.checkRunId === undefined ? (await latestShownRun(octokit, ref, options.appId))?.id ?? null : options.checkRunId;
    if (existing) {
      try {
        const { data } = await octokit.request(ROUTES.updateCheckRun, { owner: ref.owner, repo: ref.repo, check_run_id: existing, ...body });
        return { id: Number(data.id), created: false, url: data.html_url ?? null };
      } catch (error) {
        // A remembered id may belong to a run GitHub has since deleted; create a fresh one then.
        if (statusOf(error) !== 404) throw error;
      }
    }
    const { data } = await octokit.request(ROUTES.createCheckRun, {
      owner: ref.owner,
      repo: ref.repo,
      name: CHECK_RUN_NAME,
      head_sha: ref.headSha,
      started_at: now,
      ...body,
    });
    return { id: Number(data.id), created: true, url: data.html_url ?? null };
  } catch (error) {
    throw toGitHubEvidenceError(error, what);
  }
}

/** Our latest `Change control (CC8.1)` run on a head as GitHub shows it now (one REST read), or null when there is none. */
export async function latestShownRun(octokit: GitHubClient, ref: { owner: string; repo: string; headSha: string }, appId?: number): Promise<{ id: number; status: string; conclusion: string | null } | null> {
  const { data } = await octokit.request(ROUTES.listCheckRunsForRef, {
    owner: ref.owner,
    repo: ref.repo,
    ref: ref.headSha,
    check_name: CHECK_RUN_NAME,
    filter: 'latest',
    per_page: 100,
    ...(appId === undefined ? {} : { app_id: appId }),
  });
  let latest: (typeof data.check_runs)[number] | undefined;
  for (const run of data.check_runs) if (run.name === CHECK_RUN_NAME && (!latest || Number(run.id) > Number(latest.id))) latest = run;
  return latest ? { id: Number(latest.id), status: latest.status, conclusion: latest.conclusion ?? null } : null;
}

function fit(markdown: string): string {
  if (markdown.length <= MAX_OUTPUT) return markdown;
  const note = '\n\n… (cut to GitHub\'s 65,535-character limit; the full record is in the ledger)';
  return markdown.slice(0, MAX_OUTPUT - note.length) + note;
}
