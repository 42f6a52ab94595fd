import { toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

/**
 * Posts a comment on a pull request (its conversation, through the issues API).
 *
 * @example await commentOnPullRequest(octokit, { owner: 'acme', repo: 'api', number: 42 }, 'Recorded …')
 */
export async function commentOnPullRequest(octokit: GitHubClient, target: { owner: string; repo: string; number: number }, body: string): Promise<void> {
  try {
    await octokit.request(ROUTES.createIssueComment, { owner: target.owner, repo: target.repo, issue_number: target.number, body });
  } catch (error) {
    throw toGitHubEvidenceError(error, `a comment on ${target.owner}/${target.repo}#${target.number}`);
  }
}
