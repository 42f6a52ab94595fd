import { errorResult, findRepo, isResult, type RouteDef } from './rest-router.js';

/** Collaborator permissions, comments on pull requests, and who a token belongs to. */
export const issueRoutes: RouteDef[] = [
  {
    route: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const account = ctx.world.account(req.params['username'] ?? '');
      if (!account) return errorResult(404, 'Not Found');
      const login = account.login.toLowerCase();
      const role = repo.roles?.get(login) ?? (login === repo.owner.toLowerCase() ? 'admin' : repo.writers.has(login) ? 'write' : 'read');
      // The legacy `permission` folds maintain into write and triage into read, as GitHub does.
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return { status: 200, body: { permission, role_name: role, user: { ...ctx.json.user(account.login), role_name: role } } };
    },
  },
  {
    route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const number = Number(req.params['issue_number']);
      if (!repo.pulls.has(number)) return errorResult(404, 'Not Found');
      if (typeof req.body['body'] !== 'string' || !req.body['body']) return errorResult(422, 'Validation Failed');
      const by = req.caller.kind === 'installation' ? `${req.caller.installation.appSlug}[bot]` : 'unknown';
      const comment = { id: ctx.world.nextId(), number, user: by, body: req.body['body'], createdAt: ctx.world.now() };
      (repo.issueComments ??= []).push(comment);
      const fullName = `${repo.owner}/${repo.name}`;
      return {
        status: 201,
        body: { id: comment.id, body: comment.body, created_at: comment.createdAt, updated_at: comment.createdAt, html_url: `https://github.com/${fullName}/pull/${number}#issuecomment-${comment.id}`, user: { login: by, type: 'Bot' } },
      };
    },
  },
  {
    route: 'GET /user',
    auth: 'token',
    handle: (req, ctx) => {
      const token = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      const login = ctx.world.userTokens.get(token);
      const user = login ? ctx.json.user(login) : null;
      return user ? { status: 200, body: user } : errorResult(403, 'Resource not accessible by integration');
    },
  },
];
