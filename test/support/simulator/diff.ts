import { gitBlobSha, reachable, type SimCommit, type SimPullRequest, type SimRepo } from './world.js';

/** One file of a diff, as GitHub's compare and pull-request files list it. */
export interface SimDiffFile {
  path: string;
  status: 'added' | 'removed' | 'modified';
  /** Blob SHA after the change (before it, for a removed file). */
  sha: string;
}

/** The nearest common ancestor of two commits: walking back from `a`, the first commit `b` also reaches. */
export function mergeBase(repo: SimRepo, a: string, b: string): SimCommit | undefined {
  const fromB = reachable(repo, b);
  const queue = [a];
  const seen = new Set<string>();
  while (queue.length) {
    const sha = queue.shift()!;
    if (seen.has(sha)) continue;
    seen.add(sha);
    if (fromB.has(sha)) return repo.commits.get(sha);
    queue.push(...(repo.commits.get(sha)?.parents ?? []));
  }
  return undefined;
}

/** What `to` changes against `from`, by path (no rename detection). */
export function diffFiles(from: SimCommit | undefined, to: SimCommit): SimDiffFile[] {
  const before = from?.files ?? new Map<string, string>();
  const out: SimDiffFile[] = [];
  for (const [path, content] of to.files) {
    const old = before.get(path);
    if (old === undefined) out.push({ path, status: 'added', sha: gitBlobSha(content) });
    else if (old !== content) out.push({ path, status: 'modified', sha: gitBlobSha(content) });
  }
  for (const [path, content] of before) if (!to.files.has(path)) out.push({ path, status: 'removed', sha: gitBlobSha(content) });
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

/**
 * The files a pull request changes, as GitHub shows them: head against its
 * merge base with the base branch — once merged, with the base branch as it
 * was just before the merge.
 */
export function pullRequestFiles(repo: SimRepo, pr: SimPullRequest): SimDiffFile[] {
  const head = pr.commits.at(-1)!;
  const first = pr.mergedCommits?.[0] ?? pr.mergeCommitSha;
  const baseSha = pr.mergedAt && first ? repo.commits.get(first)?.parents[0] : repo.branches.get(pr.baseRef);
  const headCommit = repo.commits.get(head);
  if (!baseSha || !headCommit) return [];
  return diffFiles(mergeBase(repo, baseSha, head), headCommit);
}

/** The REST form of a diff file (`files[]` of compare and of a pull request's files). */
export function restDiffFile(repo: SimRepo, file: SimDiffFile, apiUrl: string) {
  return {
    sha: file.sha, filename: file.path, status: file.status, additions: 0, deletions: 0, changes: 0,
    blob_url: `https://github.com/${repo.owner}/${repo.name}/blob/${file.sha}/${file.path}`,
    raw_url: `https://github.com/${repo.owner}/${repo.name}/raw/${file.sha}/${file.path}`,
    contents_url: `${apiUrl}/repos/${repo.owner}/${repo.name}/contents/${file.path}`,
  };
}
