import type { IsoTime } from './facts.js';

/** A commit of a push's range: reachable from its `after`, not from its `before`. */
export interface RangeNode {
  sha: string;
  parents: readonly string[];
  /**
   * Who made the commit, as far as GitHub shows: `github` — committed as
   * GitHub's `web-flow` and signed with GitHub's key (a merge or squash made
   * on github.com); `github-name` — committed as `web-flow` without GitHub's
   * signature (a rebase merge, which GitHub does not sign, or anyone writing
   * GitHub's name); `someone` — anyone else (`git merge` on a machine). Absent:
   * not known, taken as GitHub's.
   */
  madeBy?: 'github' | 'github-name' | 'someone';
}

/** A merged pull request GitHub associates with a commit. */
export interface MergedPullRequest {
  number: number;
  url: string | null;
  mergedAt: IsoTime | null;
  mergeCommitSha: string | null;
  baseRef: string;
  /** The pull request's head, what was reviewed; when known, a true merge brings only what it reaches. */
  headSha?: string | null;
}

/**
 * Which merged pull request introduced each commit of a push, by ancestry
 * (SPEC "Pushes"): a commit is introduced by a pull request merged into
 * `branch` only when that pull request's merge commit *contains* it — it is
 * the merge commit itself, or brought by a true merge (reachable from its
 * second parent and not from its first), or one of the commits a rebase placed on the branch (the merge commit's
 * first-parent chain of commits GitHub associates with the same pull
 * request) — and that merge commit is the push's `after` or an ancestor of it.
 *
 * A merge commit that contains a commit of the range is itself in the range
 * (were it reachable from `before`, so would the commit be), so only merge
 * commits within the range can introduce anything. That is what stops a push
 * that rewinds a branch to an old commit of a merged pull request, or pushes
 * the original commits of a squashed one: GitHub still associates those
 * commits with the pull request, but its merge commit is not on the way.
 *
 * @param range the push's commits with their parents (the compare API's list)
 * @param associated for each commit of the range, the merged pull requests GitHub lists for it
 * @param branch the branch the pull requests must have been merged into; `null` for any
 * @returns each introduced commit's pull request; commits absent from the map are unreviewed
 */
export function introducedByMerges(
  range: readonly RangeNode[],
  associated: ReadonlyMap<string, readonly MergedPullRequest[]>,
  branch: string | null,
): Map<string, MergedPullRequest> {
  const nodes = new Map(range.map((c) => [c.sha, c]));
  const intoBranch = (sha: string) => (associated.get(sha) ?? []).filter((pr) => pr.mergedAt !== null && (branch === null || pr.baseRef === branch));
  const out = new Map<string, MergedPullRequest>();
  const claim = (sha: string, pr: MergedPullRequest) => {
    if (!out.has(sha)) out.set(sha, pr);
  };
  const reach = (from: readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const stack = from.filter((p) => nodes.has(p));
    while (stack.length) {
      const sha = stack.pop()!;
      if (seen.has(sha)) continue;
      seen.add(sha);
      for (const p of nodes.get(sha)!.parents) if (nodes.has(p) && !seen.has(p)) stack.push(p);
    }
    return seen;
  };
  for (const commit of range) {
    const pr = intoBranch(commit.sha).find((p) => p.mergeCommitSha === commit.sha);
    if (!pr) continue;
    // A merge commit made by hand and pushed (GitHub then marks the pull request merged with it as
    // its merge commit) may hold content nobody reviewed: only GitHub's own merge speaks for the pull request.
    if (!madeByGitHubFor(commit, pr, (sha) => commit.parents.includes(sha) || reach(commit.parents).has(sha))) continue;
    claim(commit.sha, pr);
    if (commit.parents.length >= 2) {
      // A true merge brings what its merged side has and its base side has not (`git log M^1..M^2`):
      // a commit that was on the base branch already, but pushed there directly, is not reviewed
      // because a later pull request branched from it. And only what the pull request's head reaches:
      // a commit stacked on the reviewed head and merged with it was never part of the pull request.
      const base = reach(commit.parents.slice(0, 1));
      const reviewed = pr.headSha ? reach([pr.headSha]) : null;
      for (const sha of reach(commit.parents.slice(1))) if (!base.has(sha) && (!reviewed || reviewed.has(sha))) claim(sha, pr);
    } else {
      // A squash (the merge commit alone) or a rebase (the commits placed before it, all GitHub's for this pull request).
      let sha = commit.parents[0];
      while (sha !== undefined && nodes.has(sha) && intoBranch(sha).some((p) => p.number === pr.number)) {
        claim(sha, pr);
        sha = nodes.get(sha)!.parents[0];
      }
    }
  }
  return out;
}

/**
 * Whether the merge commit GitHub names for a pull request is one GitHub made
 * for it — by its shape as well as its signature, for GitHub also signs what
 * people commit on github.com in its name (the web editor, the API):
 *
 * - a true merge has the reviewed head as its merged side (second parent), as
 *   the merge button makes it; and is signed by GitHub, or at least in
 *   GitHub's name (a server that does not sign its merges; the shell then
 *   checks its content, see `vetUnsignedMerges`);
 * - a single commit is the reviewed head itself (a fast-forward), or a squash
 *   or a rebase's last copy in GitHub's name (GitHub does not sign rebase
 *   merges). Neither ever descends from the reviewed head — a squash sits on
 *   the base branch, and a rebase always writes new commits — so one that does
 *   was made on top of the head by someone, with whatever content they chose.
 *
 * Absent `madeBy`: not known, taken as GitHub's.
 */
function madeByGitHubFor(commit: RangeNode, pr: MergedPullRequest, descendsFrom: (sha: string) => boolean): boolean {
  const github = commit.madeBy === undefined || commit.madeBy === 'github';
  if (commit.parents.length >= 2) {
    if (pr.headSha && commit.parents[1] !== pr.headSha) return false;
    return github || (commit.madeBy === 'github-name' && !!pr.headSha);
  }
  if (commit.sha === pr.headSha) return true;
  if (pr.headSha && descendsFrom(pr.headSha)) return false;
  return github || commit.madeBy === 'github-name';
}
