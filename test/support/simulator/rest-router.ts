import type { IncomingHttpHeaders } from 'node:http';
import type { RestJson } from './rest-json.js';
import type { SimInstallation, SimRepo, World } from './world.js';

/** Who is calling: the app itself (JWT), an installation (its token) or a plain token. */
export type Caller = { kind: 'app' } | { kind: 'installation'; installation: SimInstallation } | { kind: 'token' };

export interface RestRequest {
  method: string;
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  caller: Caller;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  world: World;
  json: RestJson;
  apiUrl: string;
  canSee: (repo: SimRepo) => boolean;
}

export interface RouteDef {
  /** `METHOD /path/{param}` exactly as in GitHub's OpenAPI description. */
  route: string;
  /** `app` routes need the app's JWT; `token` routes an installation or plain token. */
  auth: 'app' | 'token';
  handle: (req: RestRequest, ctx: RouteContext) => RestResult;
}

export interface CompiledRoute extends RouteDef {
  method: string;
  regex: RegExp;
  keys: string[];
}

export function compileRoutes(defs: RouteDef[]): CompiledRoute[] {
  return defs.map((def) => {
    const [method, template] = def.route.split(' ') as [string, string];
    const keys: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      // `{path}` of the contents API spans slashes; every other parameter is one segment.
      return key === 'path' ? '(.+)' : '([^/]+)';
    });
    return { ...def, method, regex: new RegExp(`^${source}$`), keys };
  });
}

export function matchRoute(routes: CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.regex.exec(path);
    if (match) return { route, params: Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)])) };
  }
  return null;
}

export function errorResult(status: number, message: string): RestResult {
  return { status, body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) } };
}

/** The repository of `{owner}/{repo}`, or a 404 exactly as GitHub hides what a token may not see. */
export function findRepo(req: RestRequest, ctx: RouteContext): SimRepo | RestResult {
  const repo = ctx.world.findRepo(req.params['owner'] ?? '', req.params['repo'] ?? '');
  return repo && ctx.canSee(repo) ? repo : errorResult(404, 'Not Found');
}

export function isResult(value: unknown): value is RestResult {
  return typeof value === 'object' && value !== null && 'status' in value && typeof (value as RestResult).status === 'number';
}

/** `page`/`per_page` paging with GitHub's `link` header. */
export function paginate<T>(items: readonly T[], req: RestRequest, ctx: RouteContext, path: string, defaultPerPage = 30): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? defaultPerPage)));
  const page = Math.max(1, Number(req.query.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const query = new URLSearchParams(req.query);
    query.set('per_page', String(perPage));
    query.set('page', String(p));
    return `<${ctx.apiUrl}${path}?${query}>; rel="${rel}"`;
  };
  const links = [
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
  ];
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}
