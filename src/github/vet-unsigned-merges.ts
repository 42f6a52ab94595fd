import type { MergedPullRequest, RangeNode } from '../core/introduced-by.js';
import { shortSha } from '../core/format.js';
import { changeDiffProblem } from '../core/policy/update-merge.js';
import { toGitHubEvidenceError } from './errors.js';
import type { GitHubClient } from './octokit.js';
import { compare } from './read-update-merges.js';

/**
 * A merge commit in GitHub's name that GitHub did not sign: GitHub signs every
 * merge it makes on github.com, so this is either a server that does not sign
 * (GitHub Enterprise Server without web commit signing) or a merge made by hand
 * with `GitHub <noreply@github.com>` written as its committer — which can carry
 * content nobody reviewed (an "evil merge"). It counts for its pull request
 * only when its content is shown to be exactly the reviewed change merged onto
 * its first parent: the diff it makes against its first parent is the pull
 * request's diff (same files, statuses, old paths and resulting blobs), and
 * the base branch changed none of those files since the pull request branched.
 * A merge that had to combine both sides of a file cannot be shown clean and
 * does not count; on github.com that never happens to a merge GitHub made.
 *
 * Costs three compare requests per such merge, and none for signed merges.
 *
 * @returns the range with each merge that could not be shown clean marked as
 *   made by `someone`, and for each of those, why, for the record
 */
export async function vetUnsignedMerges(
  octokit: GitHubClient,
  ref: { owner: string; repo: string },
  range: readonly RangeNode[],
  associated: ReadonlyMap<string, readonly MergedPullRequest[]>,
  branch: string | null,
): Promise<{ range: RangeNode[]; notes: Map<string, string> }> {
  const notes = new Map<string, string>();
  const out: RangeNode[] = [];
  for (const node of range) {
    const pr = node.madeBy === 'github-name' && node.parents.length >= 2 ? mergedBy(node, associated.get(node.sha) ?? [], branch) : undefined;
    if (!pr) {
      out.push(node);
      continue;
    }
    const problem = await unreviewedContent(octokit, ref, node, pr);
    if (problem === null) {
      out.push(node);
      continue;
    }
    out.push({ ...node, madeBy: 'someone' });
    notes.set(node.sha, `merge ${shortSha(node.sha)} is in GitHub's name but not signed by GitHub, and its content is not only pull request #${pr.number}'s: ${problem}`);
  }
  return { range: out, notes };
}

/** The pull request this merge would speak for: merged into `branch` with it as merge commit, its reviewed head the merged side. */
function mergedBy(node: RangeNode, prs: readonly MergedPullRequest[], branch: string | null): MergedPullRequest | undefined {
  return prs.find((p) => p.mergedAt !== null && p.mergeCommitSha === node.sha && (branch === null || p.baseRef === branch) && !!p.headSha && p.headSha === node.parents[1]);
}

async function unreviewedContent(octokit: GitHubClient, ref: { owner: string; repo: string }, merge: RangeNode, pr: MergedPullRequest): Promise<string | null> {
  const [first, head] = [merge.parents[0]!, pr.headSha!];
  try {
    const reviewed = await compare(octokit, ref, first, head);
    const merged = await compare(octokit, ref, first, merge.sha);
    const baseChanges = await compare(octokit, ref, reviewed.mergeBase, first);
    return changeDiffProblem(reviewed, merged, baseChanges, `merge ${shortSha(merge.sha)}`);
  } catch (error) {
    throw toGitHubEvidenceError(error, `${ref.owner}/${ref.repo} merge ${shortSha(merge.sha)} against pull request #${pr.number}`);
  }
}
