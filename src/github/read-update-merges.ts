import type { ChangeFacts, DiffFacts, EvidenceGap, UpdateMergeFacts } from '../core/facts.js';
import type { GitHubClient } from './octokit.js';
import { describeFailure, type BaseCommit } from './read-base-before-merge.js';
import { ROUTES } from './routes.js';

/** GitHub's compare API lists at most 300 files (https://docs.github.com/rest/commits/commits#compare-two-commits). */
const COMPARE_FILE_LIMIT = 300;

/**
 * For each approved commit followed only by merges, the three diffs that
 * tell whether those merges are clean (see core/policy/update-merge.ts): the
 * change at the approval (`base...approved`), the change now (`base...head`)
 * and what the base branch changed between the two merge bases. A diff is
 * read once however many approvals need it; one GitHub will not give is a gap.
 */
export async function readUpdateMerges(
  octokit: GitHubClient,
  ref: { owner: string; repo: string },
  facts: ChangeFacts,
  approved: string[],
  beforeMerge: () => Promise<BaseCommit>,
  what: string,
): Promise<{ facts: UpdateMergeFacts[]; gaps: EvidenceGap[] }> {
  const diffs = new Map<string, Promise<DiffFacts>>();
  const diff = (base: string, head: string) => {
    const key = `${base}...${head}`;
    let d = diffs.get(key);
    if (!d) {
      d = compare(octokit, ref, base, head);
      diffs.set(key, d);
    }
    return d;
  };
  const out: UpdateMergeFacts[] = [];
  const gaps: EvidenceGap[] = [];
  let base: string;
  try {
    // Open: the base branch by name, so GitHub compares against its head now (a pull request's
    // recorded base SHA lags behind the branch, and would hide what a merge brought from it).
    // Merged: the base branch holds the change itself, so compare against it as it was just before.
    base = facts.merge?.mergeCommitSha ? (await beforeMerge()).oid : facts.baseRef;
  } catch (error) {
    return { facts: [], gaps: [{ what: 'update_merge', reason: `could not find the base branch as it was before the merge: ${describeFailure(error, what)}` }] };
  }
  for (const approvedSha of approved) {
    try {
      const before = await diff(base, approvedSha);
      const after = await diff(base, facts.headSha);
      const baseChanges = await diff(before.mergeBase, after.mergeBase);
      out.push({ approvedSha, before, after, baseChanges });
    } catch (error) {
      gaps.push({ what: 'update_merge', reason: `could not compare the approved commit ${approvedSha.slice(0, 7)} with the head: ${describeFailure(error, what)}` });
    }
  }
  return { facts: out, gaps };
}

/** One three-dot diff: the files `head` changes against its merge base with `base` (at most 300, as GitHub lists them). */
export async function compare(octokit: GitHubClient, ref: { owner: string; repo: string }, base: string, head: string): Promise<DiffFacts> {
  // One commit a page: only the files matter, and GitHub lists them on the first page.
  const { data } = await octokit.request(ROUTES.compareCommits, { owner: ref.owner, repo: ref.repo, basehead: `${base}...${head}`, per_page: 1 });
  const files = data.files ?? [];
  return {
    base: data.base_commit.sha,
    head,
    mergeBase: data.merge_base_commit.sha,
    status: data.status,
    files: files.map((f) => ({ path: f.filename, previousPath: f.previous_filename ?? null, status: f.status, blobSha: f.sha ?? null })),
    complete: files.length < COMPARE_FILE_LIMIT,
  };
}
