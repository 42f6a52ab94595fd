import type { ChangeFacts, DiffFacts, DiffFile, UpdateMergeFacts } from '../facts.js';
import { listOf, shortSha } from '../format.js';

/** Whether an approval on an earlier commit survives the commits after it. */
export interface UpdateMergeJudgement {
  approvedSha: string;
  /** `null` when the evidence needed to tell was not read (an evidence gap). */
  clean: boolean | null;
  /** The merges after the approved commit (when every later commit is one). */
  merges: string[];
  /** e.g. "merge 3f2a1bc also changed src/app.ts (blob 1a2b3c4 → 5d6e7f8)" */
  why: string;
}

/**
 * An approval on commit A still counts at the head H when H differs from A
 * only by clean merges of the base branch ("Update branch"). Clean is exact:
 *
 * 1. every commit of the pull request after A (not A or one of its ancestors)
 *    is a merge commit — a plain commit is new work, whatever it contains;
 * 2. the change's diff against its base is identical at A and at H: the same
 *    files, each with the same status, old path and resulting blob SHA;
 * 3. the base branch, between the merge base at A and the merge base at H,
 *    changed none of the change's files (old paths of renames included).
 *
 * (2) catches any extra edit made in a merge; (3) catches every merge that
 * had to combine two sides of one file — a resolved conflict, an automatic
 * merge of both sides, or a resolution that silently kept one side and so
 * reverts the base's work. Blob SHAs name exact content, so "identical" is
 * not a judgement of similarity. File modes are not compared: GitHub's
 * compare API does not give them.
 */
export function judgeUpdateMerge(facts: ChangeFacts, approvedSha: string): UpdateMergeJudgement {
  const result = (clean: boolean | null, why: string, merges: string[] = []): UpdateMergeJudgement => ({ approvedSha, clean, merges, why });
  const byOid = new Map(facts.commits.map((c) => [c.sha, c]));
  if (!byOid.has(approvedSha)) return result(false, `the approved commit ${shortSha(approvedSha)} is no longer part of the pull request`);
  const before = ancestorsWithin(byOid, approvedSha);
  const later = facts.commits.filter((c) => !before.has(c.sha));
  const plain = later.find((c) => c.parents.length < 2);
  if (plain) return result(false, `commit ${shortSha(plain.sha)} ("${plain.headline}") after the approval is not a merge of the base branch`);
  const merges = later.map((c) => c.sha);
  const evidence = facts.updateMerges?.find((u) => u.approvedSha === approvedSha);
  if (!evidence) return result(null, `the diffs needed to tell whether the merges after ${shortSha(approvedSha)} are clean were not read`, merges);
  const problem = diffProblem(evidence, facts.headSha);
  return problem ? result(false, problem, merges) : result(true, `${listOf(merges.map(shortSha))} ${merges.length === 1 ? 'is a clean merge' : 'are clean merges'} of ${facts.baseRef}: the change's diff is unchanged`, merges);
}

/** The commits the pull request needs judged: approved earlier commits whose later commits are all merges. */
export function updateMergeCandidates(facts: Pick<ChangeFacts, 'commits' | 'headSha'>, approvedShas: Iterable<string>): string[] {
  const byOid = new Map(facts.commits.map((c) => [c.sha, c]));
  const out: string[] = [];
  for (const sha of new Set(approvedShas)) {
    if (sha === facts.headSha || !byOid.has(sha)) continue;
    const before = ancestorsWithin(byOid, sha);
    if (facts.commits.every((c) => before.has(c.sha) || c.parents.length >= 2)) out.push(sha);
  }
  return out;
}

function diffProblem(evidence: UpdateMergeFacts, headSha: string): string | null {
  const { before, after, baseChanges } = evidence;
  if (before.head !== evidence.approvedSha || after.head !== headSha) return 'the diffs read do not belong to the approved commit and the head';
  return changeDiffProblem(before, after, baseChanges, 'the merges');
}

/**
 * Why a change's diff cannot be shown unchanged by merges of its base branch,
 * or `null` when it is (the rules of `judgeUpdateMerge`, 2 and 3): `before` is
 * the change as reviewed, `after` the change once merged, `baseChanges` what
 * the base branch changed between their merge bases. `by` names the merges in
 * the reason ("the merges", "merge 3f2a1bc").
 */
export function changeDiffProblem(before: DiffFacts, after: DiffFacts, baseChanges: DiffFacts, by: string): string | null {
  for (const diff of [before, after, baseChanges]) {
    if (!diff.complete) return `the diff ${shortSha(diff.base)}...${shortSha(diff.head)} has more files than GitHub lists, so it cannot be shown unchanged`;
  }
  if (baseChanges.base !== before.mergeBase || baseChanges.head !== after.mergeBase) return 'the base branch changes read do not span the two merge bases';
  if (baseChanges.status !== 'ahead' && baseChanges.status !== 'identical') {
    return `the merge base moved from ${shortSha(before.mergeBase)} to ${shortSha(after.mergeBase)}, which does not descend from it (the base branch was rewritten)`;
  }
  const was = byPath(before);
  const now = byPath(after);
  for (const [path, file] of now) {
    const old = was.get(path);
    if (!old) return `${by} added ${path} to the change`;
    // A removal needs no resulting content; anything else must name it, or it cannot be shown unchanged.
    const unknown = old.blobSha === null && old.status !== 'removed';
    if (old.status !== file.status || old.previousPath !== file.previousPath || old.blobSha !== file.blobSha || unknown) {
      return `${by} changed ${path} in the change (${describe(old)} → ${describe(file)})`;
    }
  }
  for (const path of was.keys()) if (!now.has(path)) return `${by} took ${path} out of the change`;
  const touched = new Set(before.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])));
  const both = baseChanges.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])).filter((p) => touched.has(p));
  if (both.length) {
    return `the base branch also changed ${listOf([...new Set(both)])}, so ${by} combined both sides of ${both.length === 1 ? 'that file' : 'those files'} (a conflict resolution or an automatic merge nobody approved)`;
  }
  return null;
}

function byPath(diff: DiffFacts): Map<string, DiffFile> {
  return new Map(diff.files.filter((f) => f.status !== 'unchanged').map((f) => [f.path, f]));
}

function describe(file: DiffFile): string {
  return `${file.status}${file.previousPath ? ` from ${file.previousPath}` : ''}, blob ${file.blobSha ? shortSha(file.blobSha) : 'unknown'}`;
}

/** `sha` and its ancestors among the pull request's commits. */
function ancestorsWithin(byOid: Map<string, { parents: string[] }>, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next) || !byOid.has(next)) continue;
    seen.add(next);
    stack.push(...byOid.get(next)!.parents);
  }
  return seen;
}
