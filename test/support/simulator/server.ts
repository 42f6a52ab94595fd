import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, type Fault } from './faults.js';
import { executeGraphql, requestCost } from './graphql-handler.js';
import { appRoutes } from './rest-apps.js';
import { checkRoutes } from './rest-checks.js';
import { deploymentRoutes } from './rest-deployments.js';
import { RestJson } from './rest-json.js';
import { issueRoutes } from './rest-issues.js';
import { repoRoutes } from './rest-repos.js';
import { compileRoutes, errorResult, matchRoute, type Caller, type RestResult, type RouteContext } from './rest-router.js';
import type { SimRepo, World } from './world.js';

const ROUTES = compileRoutes([...appRoutes, ...repoRoutes, ...checkRoutes, ...deploymentRoutes, ...issueRoutes]);

/** Every REST route the simulator serves, as OpenAPI names them. */
export const SIMULATED_ROUTES: readonly string[] = ROUTES.map((r) => r.route);

/** One request the simulator received. */
export interface RecordedRequest {
  method: string;
  /** The route template (`GET /repos/{owner}/{repo}/contents/{path}`), `POST /graphql`, or `UNMATCHED <method> <path>`. */
  route: string;
  path: string;
  status: number;
  /** When it arrived (ms since the epoch), to measure waits between retries. */
  at: number;
}

/** A running simulator. Point Octokit at it with `env` (GHE_HOST/GHE_PROTOCOL), as at a GitHub Enterprise Server. */
export interface GitHubSimulator {
  readonly url: string;
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  readonly env: { GHE_HOST: string; GHE_PROTOCOL: 'http' };
  readonly world: World;
  readonly faults: Faults;
  readonly requests: RecordedRequest[];
  /** Requests received, for one route (`POST /graphql`, a REST template) or in total. */
  count(route?: string): number;
  /** Requests received per route. */
  counts(): Record<string, number>;
  resetRequests(): void;
  /**
   * Spends `count` requests (or points) of an installation's hourly limit for
   * `resource` (`core`, `graphql`), as other work would; `resetInSeconds`
   * moves the window's reset (default: an hour after its first request).
   */
  spendRateLimit(installationId: number, resource: string, count: number, options?: { resetInSeconds?: number }): void;
  close(): Promise<void>;
}

/**
 * Starts the GitHub simulator on 127.0.0.1 (a random port): REST under
 * `/api/v3`, GraphQL at `/api/graphql`, over `world` (or a scenario builder's).
 *
 * @example
 * const sim = await startGitHubSimulator(scenario().repo('acme/api').pullRequest({ author: 'alice' }));
 * const octokit = createOctokit({ auth: 'test-token', env: sim.env });
 * afterAll(() => sim.close());
 */
export async function startGitHubSimulator(source: World | { world: World }, options: { webUrl?: string } = {}): Promise<GitHubSimulator> {
  const world = 'world' in source ? source.world : source;
  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const apiUrl = `${url}/api/v3`;
  const webUrl = options.webUrl ?? 'https://github.com';
  const json = new RestJson(world, apiUrl, webUrl);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => send(res, { status: 500, body: { message: `simulator error: ${(error as Error).stack ?? String(error)}` } }, 'core', { used: 0, resetAt: Date.now() + 3_600_000 }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const isGraphql = method === 'POST' && target.pathname === '/api/graphql';
    const restPath = target.pathname.startsWith('/api/v3/') ? target.pathname.slice('/api/v3'.length) : null;
    const matched = !isGraphql && restPath !== null ? matchRoute(ROUTES, method, restPath) : null;
    const route = isGraphql ? 'POST /graphql' : matched ? matched.route.route : `UNMATCHED ${method} ${target.pathname}`;
    const record: RecordedRequest = { method, route, path: target.pathname + target.search, status: 0, at: Date.now() };
    requests.push(record);
    const resource = isGraphql ? 'graphql' : 'core';
    const reply = (result: RestResult, points = 1) => {
      record.status = result.status;
      send(res, result, resource, spend(req.headers.authorization, resource, points));
    };

    const fault = faults.take(route);
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    else if (fault?.kind === 'reset') {
      record.status = 0;
      req.socket.destroy();
      return;
    } else if (fault) return reply(faultResult(fault));
    if (!isGraphql && !matched) return reply(errorResult(404, 'Not Found'));

    const caller = authenticate(req.headers.authorization);
    const needsApp = matched?.route.auth === 'app';
    if (caller === null) return reply(errorResult(401, req.headers.authorization ? 'Bad credentials' : 'Requires authentication'));
    if (needsApp !== (caller.kind === 'app')) {
      return reply(errorResult(needsApp ? 401 : 403, needsApp ? 'A JSON web token could not be decoded' : 'Resource not accessible by integration'));
    }
    const canSee = (repo: SimRepo) => visible(caller, repo);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return reply(errorResult(400, 'Problems parsing JSON'));
    }
    if (isGraphql) {
      // GraphQL is charged in points, the query's cost, and its headers count points as GitHub's do.
      const cost = requestCost(body);
      const window = spend(req.headers.authorization, resource, cost);
      const rate = { cost, limit: RATE_LIMIT, used: window.used, resetAt: window.resetAt };
      record.status = 200;
      return send(res, { status: 200, body: await executeGraphql(body, { world, canSee, webUrl, faults, rate }) }, resource, window);
    }
    const ctx: RouteContext = { world, json, apiUrl, canSee };
    reply(matched!.route.handle({ method, route, params: matched!.params, query: target.searchParams, headers: req.headers, body, caller }, ctx));
  }

  /** Requests (REST) or points (GraphQL) per rate-limit holder and resource in the current window: an installation's tokens share its limit, as on GitHub. */
  const used = new Map<string, { used: number; resetAt: number }>();
  function windowOf(key: string): { used: number; resetAt: number } {
    let window = used.get(key);
    if (!window || window.resetAt <= Date.now()) used.set(key, (window = { used: 0, resetAt: Math.ceil(Date.now() / 1000) * 1000 + 3_600_000 }));
    return window;
  }
  /** Charges a request (REST: 1; GraphQL: its points) to its rate-limit holder's window. */
  function spend(header: string | undefined, resource: string, points = 1): { used: number; resetAt: number } {
    const credential = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '')?.[1] ?? 'anonymous';
    const installation = world.tokens.get(credential)?.installationId;
    const window = windowOf(`${installation === undefined ? credential : `installation:${installation}`}|${resource}`);
    window.used += points;
    return window;
  }

  function authenticate(header: string | undefined): Caller | null {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    if (!match) return null;
    const credential = match[1]!;
    // A GitHub App JWT: three base64url parts, the payload naming the app (`iss`). Not verified.
    const parts = credential.split('.');
    if (parts.length === 3) {
      try {
        const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
        return payload.iss === undefined ? null : { kind: 'app' };
      } catch {
        return null;
      }
    }
    const issued = world.tokens.get(credential);
    if (issued && Date.parse(issued.expiresAt) > Date.now()) {
      const installation = world.installations.get(issued.installationId);
      return installation ? { kind: 'installation', installation } : null;
    }
    return world.staticTokens.has(credential) || world.userTokens.has(credential) ? { kind: 'token' } : null;
  }

  return {
    url,
    apiUrl,
    graphqlUrl: `${url}/api/graphql`,
    env: { GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' },
    world,
    faults,
    requests,
    count: (route) => (route === undefined ? requests.length : requests.filter((r) => r.route === route).length),
    counts: () => requests.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.route]: (acc[r.route] ?? 0) + 1 }), {}),
    resetRequests: () => {
      requests.length = 0;
    },
    spendRateLimit: (installationId, resource, count, options = {}) => {
      const window = windowOf(`installation:${installationId}|${resource}`);
      window.used += count;
      if (options.resetInSeconds !== undefined) window.resetAt = Date.now() + options.resetInSeconds * 1000;
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

function visible(caller: Caller, repo: SimRepo): boolean {
  // Any token can read a public repository, as on GitHub.
  if (caller.kind !== 'installation' || !repo.private) return true;
  const { installation } = caller;
  if (installation.account.toLowerCase() !== repo.owner.toLowerCase()) return false;
  const fullName = `${repo.owner}/${repo.name}`.toLowerCase();
  return installation.repositories === 'all' || installation.repositories.some((r) => r.toLowerCase() === fullName);
}

function faultResult(fault: Exclude<Fault, { kind: 'delay' } | { kind: 'reset' }>): RestResult {
  switch (fault.kind) {
    case 'status':
      return errorResult(fault.status, fault.message ?? (fault.status >= 500 ? 'Server Error' : 'Error'));
    case 'secondary-rate-limit':
      return {
        status: fault.status ?? 403,
        headers: { 'retry-after': String(fault.retryAfter ?? 60) },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
      };
    case 'primary-rate-limit':
      return {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + fault.resetInSeconds) },
        body: { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      };
  }
}

/** GitHub's limit for an installation, per resource (REST `core`, `graphql`): 5,000 requests or points an hour. */
const RATE_LIMIT = 5000;

function send(res: ServerResponse, result: RestResult, resource: string, { used, resetAt }: { used: number; resetAt: number }): void {
  const headers: Record<string, string> = {
    'x-github-request-id': randomUUID(),
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
    'x-ratelimit-resource': resource,
    ...result.headers,
  };
  const isText = typeof result.body === 'string';
  if (result.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(result.status, headers);
  res.end(result.body === undefined || result.status === 304 ? undefined : isText ? (result.body as string) : JSON.stringify(result.body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
