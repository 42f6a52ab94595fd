import { errorResult, findRepo, isResult, paginate, type RouteDef } from './rest-router.js';

/** Deployment listing and the deployment protection rule callback (recorded in `world.protectionCallbacks`). */
export const deploymentRoutes: RouteDef[] = [
  {
    route: 'GET /repos/{owner}/{repo}/deployments',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const { sha, ref, environment } = Object.fromEntries(['sha', 'ref', 'environment'].map((k) => [k, req.query.get(k)]));
      const deployments = repo.deployments
        .filter((d) => (!sha || d.sha === sha) && (!ref || d.ref === ref) && (!environment || d.environment === environment))
        .sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(deployments, req, ctx, `/repos/${repo.owner}/${repo.name}/deployments`);
      return { status: 200, headers, body: page.map((d) => ctx.json.deployment(repo, d)) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const deployment = repo.deployments.find((d) => d.id === Number(req.params['deployment_id']));
      if (!deployment) return errorResult(404, 'Not Found');
      const statuses = [...deployment.statuses].sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(statuses, req, ctx, `/repos/${repo.owner}/${repo.name}/deployments/${deployment.id}/statuses`);
      return {
        status: 200,
        headers,
        body: page.map((s) => ({
          id: s.id, state: s.state, description: s.description, environment: deployment.environment, creator: ctx.json.user(s.creator),
          created_at: s.createdAt, updated_at: s.createdAt, deployment_url: `${ctx.apiUrl}/repos/${repo.owner}/${repo.name}/deployments/${deployment.id}`,
        })),
      };
    },
  },
  {
    route: 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const body = req.body as { environment_name?: string; state?: string; comment?: string };
      // GitHub's schema: environment_name always; then a state (approved/rejected), or a comment alone (a status report).
      if (typeof body.environment_name !== 'string') return errorResult(422, 'environment_name is required');
      if (body.state !== undefined && body.state !== 'approved' && body.state !== 'rejected') return errorResult(422, 'state must be approved or rejected');
      if (body.state === undefined && typeof body.comment !== 'string') return errorResult(422, 'comment is required without a state');
      ctx.world.protectionCallbacks.push({ owner: repo.owner, repo: repo.name, runId: Number(req.params['run_id']), body, at: ctx.world.tick() });
      return { status: 204 };
    },
  },
];
