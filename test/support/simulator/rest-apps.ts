import { randomBytes } from 'node:crypto';
import { errorResult, findRepo, isResult, paginate, type RouteDef } from './rest-router.js';

/** App-level routes: installation tokens, the repository's installation, webhook deliveries. */
export const appRoutes: RouteDef[] = [
  {
    route: 'POST /app/installations/{installation_id}/access_tokens',
    auth: 'app',
    handle: (req, ctx) => {
      const installation = ctx.world.installations.get(Number(req.params['installation_id']));
      if (!installation) return errorResult(404, 'Not Found');
      const token = `ghs_${randomBytes(18).toString('base64url')}`;
      const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      ctx.world.tokens.set(token, { installationId: installation.id, expiresAt });
      return {
        status: 201,
        body: {
          token, expires_at: expiresAt, permissions: { checks: 'write', contents: 'read', deployments: 'write', pull_requests: 'read', statuses: 'read', metadata: 'read' },
          repository_selection: installation.repositories === 'all' ? 'all' : 'selected',
        },
      };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/installation',
    auth: 'app',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const fullName = `${repo.owner}/${repo.name}`.toLowerCase();
      const installation = [...ctx.world.installations.values()].find(
        (i) => i.account.toLowerCase() === repo.owner.toLowerCase() && (i.repositories === 'all' || i.repositories.some((r) => r.toLowerCase() === fullName)),
      );
      if (!installation) return errorResult(404, 'Not Found');
      return {
        status: 200,
        body: {
          id: installation.id, account: ctx.json.user(installation.account), app_id: installation.appId, app_slug: installation.appSlug,
          target_type: 'Organization', repository_selection: installation.repositories === 'all' ? 'all' : 'selected', permissions: {}, events: [],
        },
      };
    },
  },
  {
    route: 'GET /app/installations',
    auth: 'app',
    handle: (req, ctx) => {
      const all = [...ctx.world.installations.values()].sort((a, b) => a.id - b.id);
      const { page, headers } = paginate(all, req, ctx, '/app/installations');
      return {
        status: 200,
        headers,
        body: page.map((i) => ({
          id: i.id, account: ctx.json.user(i.account), app_id: i.appId, app_slug: i.appSlug, target_type: 'Organization',
          repository_selection: i.repositories === 'all' ? 'all' : 'selected', permissions: {}, events: [], created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
        })),
      };
    },
  },
  {
    route: 'GET /installation/repositories',
    auth: 'token',
    handle: (req, ctx) => {
      if (req.caller.kind !== 'installation') return errorResult(403, 'This endpoint needs an installation token');
      const { installation } = req.caller;
      const repos = [...ctx.world.repos.values()].filter(
        (r) => r.owner.toLowerCase() === installation.account.toLowerCase() && (installation.repositories === 'all' || installation.repositories.some((n) => n.toLowerCase() === `${r.owner}/${r.name}`.toLowerCase())),
      );
      const { page, headers } = paginate(repos, req, ctx, '/installation/repositories');
      return { status: 200, headers, body: { total_count: repos.length, repository_selection: installation.repositories === 'all' ? 'all' : 'selected', repositories: page.map((r) => ctx.json.repo(r)) } };
    },
  },
  {
    route: 'GET /app/hook/deliveries',
    auth: 'app',
    handle: (req, ctx) => {
      // Newest first, paged by an opaque cursor (the id to continue before), as GitHub does.
      const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
      const cursor = req.query.get('cursor');
      const status = req.query.get('status');
      const all = [...ctx.world.deliveries].reverse().filter((d) => !status || (status === 'success' ? d.statusCode < 400 : d.statusCode >= 400));
      const start = cursor ? all.findIndex((d) => String(d.id) === cursor) : 0;
      const page = start < 0 ? [] : all.slice(start, start + perPage);
      const next = start >= 0 ? all[start + perPage] : undefined;
      return {
        status: 200,
        headers: next ? { link: `<${ctx.apiUrl}/app/hook/deliveries?per_page=${perPage}&cursor=${next.id}>; rel="next"` } : ({} as Record<string, string>),
        body: page.map((d) => ({
          id: d.id, guid: d.guid, delivered_at: d.deliveredAt, redelivery: d.redelivery, duration: d.duration, status: d.status,
          status_code: d.statusCode, event: d.event, action: d.action, installation_id: d.installationId, repository_id: d.repositoryId,
        })),
      };
    },
  },
  {
    route: 'POST /app/hook/deliveries/{delivery_id}/attempts',
    auth: 'app',
    handle: (req, ctx) => {
      const original = ctx.world.deliveries.find((d) => String(d.id) === req.params['delivery_id']);
      if (!original) return errorResult(404, 'Not Found');
      ctx.world.deliveries.push({ ...original, id: ctx.world.nextId(), redelivery: true, deliveredAt: ctx.world.tick() });
      return { status: 202, body: {} };
    },
  },
];
