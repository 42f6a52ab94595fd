import { GitHubEvidenceError, toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

/** GitHub shows deployment protection comments up to 1,024 characters. */
const MAX_COMMENT = 1024;

export interface DeploymentGateAnswer {
  /** `deployment_callback_url` from the `deployment_protection_rule` webhook. */
  callbackUrl: string;
  /** `environment` from the webhook. */
  environment: string;
  state: 'approved' | 'rejected';
  /** Markdown; cut to 1,024 characters with a note when longer. */
  comment: string;
}

/**
 * Answers a `deployment_protection_rule` request through
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`.
 * The owner, repository and run id are taken from the callback URL, and the
 * request goes to the configured API host — never to whatever host a payload
 * names.
 *
 * @example
 * await answerDeploymentGate(octokit, {
 *   callbackUrl: payload.deployment_callback_url, environment: payload.environment,
 *   state: 'rejected', comment: 'abc1234 has no compliant change record',
 * });
 */
export async function answerDeploymentGate(octokit: GitHubClient, answer: DeploymentGateAnswer): Promise<void> {
  const target = parseDeploymentCallbackUrl(answer.callbackUrl);
  const comment = answer.comment.length <= MAX_COMMENT ? answer.comment : `${answer.comment.slice(0, MAX_COMMENT - 40)}\n… (full list in the Changeproof ledger)`;
  try {
    await octokit.request(ROUTES.reviewCustomGatesForRun, {
      owner: target.owner,
      repo: target.repo,
      run_id: target.runId,
      environment_name: answer.environment,
      state: answer.state,
      comment,
    });
  } catch (error) {
    throw toGitHubEvidenceError(error, `the deployment gate of run ${target.runId} in ${target.owner}/${target.repo}`);
  }
}

/**
 * Owner, repository and run id from a `deployment_callback_url`
 * (`https://api.github.com/repos/acme/api/actions/runs/42/deployment_protection_rule`,
 * or `/api/v3/repos/…` on GitHub Enterprise Server).
 *
 * @example
 * parseDeploymentCallbackUrl('https://api.github.com/repos/acme/api/actions/runs/42/deployment_protection_rule')
 * // { owner: 'acme', repo: 'api', runId: 42 }
 */
export function parseDeploymentCallbackUrl(url: string): { owner: string; repo: string; runId: number } {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    throw new GitHubEvidenceError('invalid_response', `the deployment callback URL "${url}" is not a URL`);
  }
  const match = /\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/.exec(pathname);
  if (!match) throw new GitHubEvidenceError('invalid_response', `the deployment callback URL "${url}" is not a deployment protection rule callback`);
  return { owner: decodeURIComponent(match[1]!), repo: decodeURIComponent(match[2]!), runId: Number(match[3]) };
}
