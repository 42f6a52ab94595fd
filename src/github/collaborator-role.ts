import { toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { ROUTES } from './routes.js';

export interface CollaboratorRole {
  /** `admin`, `maintain`, `write`, `triage`, `read` or a custom role's name; null when GitHub gave none. */
  roleName: string | null;
  /** The legacy permission (`admin`, `write`, `read`, `none`): it reports maintain as write, so it never decides. */
  permission: string | null;
}

/**
 * A person's role on a repository, from
 * `GET /repos/{owner}/{repo}/collaborators/{username}/permission`. The
 * maintain and triage roles appear only in `role_name` (`permission` folds
 * them into write and read), so that is what callers judge by.
 *
 * @example await readCollaboratorRole(octokit, { owner: 'acme', repo: 'api', username: 'carol' }) // { roleName: 'maintain', permission: 'write' }
 */
export async function readCollaboratorRole(octokit: GitHubClient, target: { owner: string; repo: string; username: string }): Promise<CollaboratorRole> {
  try {
    const { data } = await octokit.request(ROUTES.getCollaboratorPermission, target);
    const body = data as { role_name?: unknown; permission?: unknown };
    return {
      roleName: typeof body.role_name === 'string' && body.role_name ? body.role_name : null,
      permission: typeof body.permission === 'string' ? body.permission : null,
    };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { roleName: null, permission: 'none' };
    throw toGitHubEvidenceError(error, `the permission of @${target.username} on ${target.owner}/${target.repo}`);
  }
}
