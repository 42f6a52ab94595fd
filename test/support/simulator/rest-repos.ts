import { errorResult, findRepo, isResult, paginate, type RestRequest, type RouteContext, type RouteDef } from './rest-router.js';
import { diffFiles, pullRequestFiles, restDiffFile } from './diff.js';
import { gitBlobSha, reachable, type SimCommit, type SimRepo } from './world.js';

/** Repository, contents, commits, compare, commit→pull-request and pull-request routes. */
export const repoRoutes: RouteDef[] = [
  {
    route: 'GET /repos/{owner}/{repo}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      return isResult(repo) ? repo : { status: 200, body: ctx.json.repo(repo) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/contents/{path}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const commit = resolveCommit(repo, req.query.get('ref') ?? repo.defaultBranch);
      if (!commit) return errorResult(404, `No commit found for the ref ${req.query.get('ref')}`);
      const path = req.params['path']!;
      const text = commit.files.get(path);
      if (text === undefined) {
        const entries = [...commit.files.keys()].filter((p) => p.startsWith(`${path}/`));
        if (entries.length === 0) return errorResult(404, 'Not Found');
        const names = [...new Set(entries.map((p) => p.slice(path.length + 1).split('/')[0]!))];
        return { status: 200, body: names.map((name) => ({ type: commit.files.has(`${path}/${name}`) ? 'file' : 'dir', name, path: `${path}/${name}` })) };
      }
      const sha = gitBlobSha(text);
      const etag = `"${sha}"`;
      if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
      const fullName = `${repo.owner}/${repo.name}`;
      if (String(req.headers['accept'] ?? '').includes('raw')) {
        return { status: 200, body: text, headers: { etag, 'content-type': 'application/vnd.github.raw; charset=utf-8' } };
      }
      // GitHub wraps base64 content at 60 characters per line.
      const content = (Buffer.from(text, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
      return {
        status: 200,
        headers: { etag },
        body: {
          type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: path.split('/').at(-1), path, content, sha,
          url: `${ctx.apiUrl}/repos/${fullName}/contents/${path}?ref=${repo.defaultBranch}`, git_url: `${ctx.apiUrl}/repos/${fullName}/git/blobs/${sha}`,
          html_url: `https://github.com/${fullName}/blob/${repo.defaultBranch}/${path}`, download_url: null,
          _links: { self: `${ctx.apiUrl}/repos/${fullName}/contents/${path}`, git: `${ctx.apiUrl}/repos/${fullName}/git/blobs/${sha}`, html: null },
        },
      };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/commits',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const head = resolveCommit(repo, req.query.get('sha') ?? repo.defaultBranch);
      if (!head) return errorResult(404, 'Not Found');
      const since = req.query.get('since');
      const until = req.query.get('until');
      // `path`: only commits that changed that file (its content differs from the first parent's).
      const path = req.query.get('path');
      const touches = (c: { parents: string[]; files: Map<string, string> }) =>
        path === null || c.files.get(path) !== (c.parents[0] ? repo.commits.get(c.parents[0])?.files.get(path) : undefined);
      const commits = byDate([...reachable(repo, head.sha)].map((sha) => repo.commits.get(sha)!))
        .reverse()
        .filter((c) => (!since || c.committer.date >= since) && (!until || c.committer.date <= until) && touches(c));
      const { page, headers } = paginate(commits, req, ctx, `/repos/${repo.owner}/${repo.name}/commits`);
      return { status: 200, headers, body: page.map((c) => ctx.json.commit(repo, c)) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/commits/{ref}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const commit = resolveCommit(repo, req.params['ref']!);
      if (!commit) return errorResult(422, `No commit found for SHA: ${req.params['ref']}`);
      return { status: 200, body: ctx.json.commit(repo, commit) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/compare/{basehead}',
    auth: 'token',
    handle: (req, ctx) => compare(req, ctx),
  },
  {
    route: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const commit = resolveCommit(repo, req.params['commit_sha']!);
      if (!commit) return errorResult(422, `No commit found for SHA: ${req.params['commit_sha']}`);
      const onDefault = reachable(repo, repo.branches.get(repo.defaultBranch)!).has(commit.sha);
      // On the default branch GitHub lists the merged pull request that introduced the commit;
      // elsewhere, the open and merged pull requests that contain it.
      const pulls = [...repo.pulls.values()].filter((pr) => {
        const contains = pr.commits.includes(commit.sha) || pr.mergeCommitSha === commit.sha || (pr.mergedCommits ?? []).includes(commit.sha);
        return contains && (onDefault ? pr.mergedAt !== null : pr.state === 'open' || pr.mergedAt !== null);
      });
      const { page, headers } = paginate(pulls, req, ctx, `/repos/${repo.owner}/${repo.name}/commits/${commit.sha}/pulls`);
      return { status: 200, headers, body: page.map((pr) => ctx.json.pull(repo, pr)) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const pr = repo.pulls.get(Number(req.params['pull_number']));
      return pr ? { status: 200, body: ctx.json.pull(repo, pr) } : errorResult(404, 'Not Found');
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const pr = repo.pulls.get(Number(req.params['pull_number']));
      if (!pr) return errorResult(404, 'Not Found');
      const files = pullRequestFiles(repo, pr);
      const { page, headers } = paginate(files, req, ctx, `/repos/${repo.owner}/${repo.name}/pulls/${pr.number}/files`);
      return { status: 200, headers, body: page.map((f) => restDiffFile(repo, f, ctx.apiUrl)) };
    },
  },
  {
    route: 'GET /repos/{owner}/{repo}/pulls',
    auth: 'token',
    handle: (req, ctx) => {
      const repo = findRepo(req, ctx);
      if (isResult(repo)) return repo;
      const state = req.query.get('state') ?? 'open';
      const pulls = [...repo.pulls.values()]
        .filter((pr) => state === 'all' || ctx.json.pull(repo, pr).state === state)
        .sort((a, b) => b.number - a.number);
      const { page, headers } = paginate(pulls, req, ctx, `/repos/${repo.owner}/${repo.name}/pulls`);
      return { status: 200, headers, body: page.map((pr) => ctx.json.pull(repo, pr)) };
    },
  },
];

function compare(req: RestRequest, ctx: RouteContext) {
  const repo = findRepo(req, ctx);
  if (isResult(repo)) return repo;
  const [baseRef, headRef] = (req.params['basehead'] ?? '').split('...');
  const base = baseRef ? resolveCommit(repo, baseRef) : undefined;
  const head = headRef ? resolveCommit(repo, headRef) : undefined;
  if (!base || !head) return errorResult(404, 'Not Found');
  const fromHead = reachable(repo, head.sha);
  const fromBase = reachable(repo, base.sha);
  const ahead = byDate([...fromHead].filter((sha) => !fromBase.has(sha)).map((sha) => repo.commits.get(sha)!));
  const behind = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
  const common = byDate([...fromHead].filter((sha) => fromBase.has(sha)).map((sha) => repo.commits.get(sha)!));
  // Without paging parameters GitHub returns at most 250 commits: the most recent ones.
  const paged = req.query.has('page') || req.query.has('per_page');
  const fullName = `${repo.owner}/${repo.name}`;
  const { page, headers } = paged ? paginate(ahead, req, ctx, `/repos/${fullName}/compare/${req.params['basehead']}`) : { page: ahead.slice(-250), headers: {} };
  const mergeBase = common.at(-1);
  // GitHub lists the changed files (up to 300) on the first page only.
  const files = (req.query.get('page') ?? '1') === '1' ? diffFiles(mergeBase, head).slice(0, 300).map((f) => restDiffFile(repo, f, ctx.apiUrl)) : [];
  return {
    status: 200,
    headers,
    body: {
      url: `${ctx.apiUrl}/repos/${fullName}/compare/${req.params['basehead']}`, html_url: `https://github.com/${fullName}/compare/${req.params['basehead']}`,
      status: ahead.length === 0 && behind === 0 ? 'identical' : behind === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged',
      ahead_by: ahead.length, behind_by: behind, total_commits: ahead.length,
      base_commit: ctx.json.commit(repo, base), merge_base_commit: mergeBase ? ctx.json.commit(repo, mergeBase) : null,
      commits: page.map((c) => ctx.json.commit(repo, c)), files,
    },
  };
}

/** A branch name or full SHA to its commit. */
export function resolveCommit(repo: SimRepo, ref: string): SimCommit | undefined {
  const sha = repo.branches.get(ref.replace(/^refs\/heads\//, '')) ?? ref;
  return repo.commits.get(sha);
}

/** Oldest first (committer date, then author date). */
function byDate(commits: SimCommit[]): SimCommit[] {
  return commits.sort((a, b) => a.committer.date.localeCompare(b.committer.date) || a.author.date.localeCompare(b.author.date));
}
