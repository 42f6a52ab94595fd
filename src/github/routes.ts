import type { Endpoints } from '@octokit/types';

/**
 * Every REST route Changeproof calls, in one place: the code sends these
 * strings (so Octokit types the parameters and responses), the simulator
 * counts requests by them, and a test asserts that each exists in GitHub's
 * OpenAPI description for github.com and for GitHub Enterprise Server.
 * GraphQL goes to `POST /graphql` (`/api/graphql` on GHES), which OpenAPI does not describe.
 */
export const ROUTES = {
  // Evidence
  getRepository: 'GET /repos/{owner}/{repo}',
  getContent: 'GET /repos/{owner}/{repo}/contents/{path}',
  compareCommits: 'GET /repos/{owner}/{repo}/compare/{basehead}',
  listPullRequestsForCommit: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
  listCommits: 'GET /repos/{owner}/{repo}/commits',
  getCommit: 'GET /repos/{owner}/{repo}/commits/{ref}',
  getPullRequest: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
  listPullRequestFiles: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
  listPullRequests: 'GET /repos/{owner}/{repo}/pulls',
  listDeployments: 'GET /repos/{owner}/{repo}/deployments',
  listDeploymentStatuses: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  // Publishing
  listCheckRunsForRef: 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
  createCheckRun: 'POST /repos/{owner}/{repo}/check-runs',
  updateCheckRun: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
  reviewCustomGatesForRun: 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
  // Exception responses: the responder's role, the reply to their comment, who a token belongs to
  getCollaboratorPermission: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
  createIssueComment: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  getAuthenticatedUser: 'GET /user',
  // App plumbing (installation tokens, missed-delivery recovery)
  createInstallationAccessToken: 'POST /app/installations/{installation_id}/access_tokens',
  getRepoInstallation: 'GET /repos/{owner}/{repo}/installation',
  listInstallations: 'GET /app/installations',
  listInstallationRepositories: 'GET /installation/repositories',
  listWebhookDeliveries: 'GET /app/hook/deliveries',
  redeliverWebhookDelivery: 'POST /app/hook/deliveries/{delivery_id}/attempts',
} as const satisfies Record<string, keyof Endpoints>;

export type RouteName = keyof typeof ROUTES;
