import { resolveCommit } from './rest-repos.js';
import { errorResult, findRepo, isResult, paginate, type RestRequest, type RouteDef } from './rest-router.js';
import type { SimCheckRun } from './world.js';

const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'];

/** Check-run and commit-status routes. Check runs are created as the calling installation's app. */
export const checkRoutes: RouteDef[] = [
  {
    route: 'POST /repos/{owner}/{repo}/check-runs',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const body = req.body;
      const headSha = String(body['head_sha'] ?? '');
      if (typeof body['name'] !== 'string' || !repo.commits.has(headSha)) return errorResult(422, 'Validation Failed');
      const invalid = validateRun(body);
      if (invalid) return errorResult(422, invalid);
      const app = req.caller.kind === 'installation' ? { slug: req.caller.installation.appSlug, id: req.caller.installation.appId } : { slug: 'token-app', id: 1 };
      let suite = repo.checkSuites.find((s) => s.headSha === headSha && s.appSlug === app.slug);
      if (!suite) {
        suite = { id: ctx.world.nextId(), headSha, appSlug: app.slug, appId: app.id };
        repo.checkSuites.push(suite);
      }
      const run: SimCheckRun = {
        id: ctx.world.nextId(), suiteId: suite.id, headSha, name: body['name'], status: 'QUEUED', conclusion: null, startedAt: ctx.world.tick(),
        completedAt: null, detailsUrl: null, externalId: null, output: { title: null, summary: null, text: null },
      };
      applyRunUpdate(run, body);
      repo.checkRuns.push(run);
      return { status: 201, body: ctx.json.checkRun(repo, run) };
    },
  },
  {
    route: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const run = repo.checkRuns.find((r) => r.id === Number(req.params['check_run_id']));
      if (!run) return errorResult(404, 'Not Found');
      const invalid = validateRun(req.body);
      if (invalid) return errorResult(422, invalid);
      applyRunUpdate(run, req.body);
      return { status: 200, body: ctx.json.checkRun(repo, run) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const commit = resolveCommit(repo, req.params['ref']!);
      if (!commit) return errorResult(422, `No commit found for SHA: ${req.params['ref']}`);
      let runs = repo.checkRuns.filter((r) => r.headSha === commit.sha);
      const name = req.query.get('check_name');
      const status = req.query.get('status');
      const appId = req.query.get('app_id');
      if (name) runs = runs.filter((r) => r.name === name);
      if (status) runs = runs.filter((r) => r.status.toLowerCase() === status);
      if (appId) runs = runs.filter((r) => repo.checkSuites.find((s) => s.id === r.suiteId)?.appId === Number(appId));
      // `filter=latest` (the default) keeps the most recent run per name.
      if ((req.query.get('filter') ?? 'latest') === 'latest') runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
      runs = [...runs].sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(runs, req, ctx, `/repos/${repo.owner}/${repo.name}/commits/${req.params['ref']}/check-runs`);
      return { status: 200, headers, body: { total_count: runs.length, check_runs: page.map((r) => ctx.json.checkRun(repo, r)) } };
    },
  },
  {
    route: 'POST /repos/{owner}/{repo}/statuses/{sha}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const state = String(req.body['state'] ?? '');
      if (!repo.commits.has(req.params['sha']!) || !['error', 'failure', 'pending', 'success'].includes(state)) return errorResult(422, 'Validation Failed');
      const creator = req.caller.kind === 'installation' ? `${req.caller.installation.appSlug}[bot]` : repo.owner;
      const status = {
        id: ctx.world.nextId(), sha: req.params['sha']!, context: String(req.body['context'] ?? 'default'), state: state.toUpperCase() as 'SUCCESS',
        description: (req.body['description'] as string | undefined) ?? null, targetUrl: (req.body['target_url'] as string | undefined) ?? null,
        creator, createdAt: ctx.world.tick(),
      };
      repo.statuses.push(status);
      return { status: 201, body: ctx.json.status(repo, status) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/commits/{ref}/statuses',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const commit = resolveCommit(repo, req.params['ref']!);
      if (!commit) return errorResult(404, 'Not Found');
      const statuses = repo.statuses.filter((s) => s.sha === commit.sha).sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(statuses, req, ctx, `/repos/${repo.owner}/${repo.name}/commits/${req.params['ref']}/statuses`);
      return { status: 200, headers, body: page.map((s) => ctx.json.status(repo, s)) };
    },
  },
];

function validateRun(body: RestRequest['body']): string | null {
  if (body['status'] !== undefined && !STATUSES.includes(String(body['status']))) return `status is not one of ${STATUSES.join(', ')}`;
  if (body['conclusion'] !== undefined && !CONCLUSIONS.includes(String(body['conclusion']))) return `conclusion is not one of ${CONCLUSIONS.join(', ')}`;
  if (body['status'] === 'completed' && body['conclusion'] === undefined) return 'conclusion is required when status is completed';
  const output = body['output'] as { summary?: unknown; title?: unknown; text?: unknown } | undefined;
  if (output !== undefined && (typeof output.title !== 'string' || typeof output.summary !== 'string')) return 'output needs a title and a summary';
  if (output && String(output.summary).length > 65535) return 'output.summary is too long (maximum is 65535 characters)';
  return null;
}

function applyRunUpdate(run: SimCheckRun, body: RestRequest['body']): void {
  if (typeof body['name'] === 'string') run.name = body['name'];
  if (body['conclusion'] !== undefined) {
    run.conclusion = String(body['conclusion']).toUpperCase();
    run.status = 'COMPLETED';
  }
  if (body['status'] !== undefined) run.status = String(body['status']).toUpperCase() as SimCheckRun['status'];
  if (typeof body['started_at'] === 'string') run.startedAt = body['started_at'];
  if (typeof body['completed_at'] === 'string') run.completedAt = body['completed_at'];
  if (typeof body['details_url'] === 'string') run.detailsUrl = body['details_url'];
  if (typeof body['external_id'] === 'string') run.externalId = body['external_id'];
  const output = body['output'] as { title: string; summary: string; text?: string } | undefined;
  if (output) run.output = { title: output.title, summary: output.summary, text: output.text ?? null };
}
