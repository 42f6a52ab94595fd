import { describe, expect, it } from 'vitest';
import { introducedByMerges, type MergedPullRequest, type RangeNode } from '../../src/core/introduced-by.js';

/**
 * Which merged pull request introduced each commit of a push, by ancestry.
 * Histories are written as `sha: parents`; `B` is the branch before the push
 * (outside the range), everything else is in it.
 */

const pr = (number: number, mergeCommitSha: string, baseRef = 'main'): MergedPullRequest => ({ number, url: null, mergedAt: '2026-03-02T10:00:00Z', mergeCommitSha, baseRef });

function history(spec: string): RangeNode[] {
  return spec.trim().split(/\s*;\s*/).map((part) => {
    const [sha, parents] = part.split(':').map((s) => s.trim()) as [string, string | undefined];
    return { sha, parents: parents ? parents.split(/\s+/) : [] };
  });
}

interface Case {
  name: string;
  range: string;
  /** What GitHub's commit → pull request association lists, per commit. */
  associated: Record<string, MergedPullRequest[]>;
  /** Expected: the pull request number per commit, `null` for unreviewed. */
  expected: Record<string, number | null>;
  branch?: string | null;
  /** Who made which commit (absent: GitHub). */
  madeBy?: Record<string, 'github' | 'github-name' | 'someone'>;
}

const P1 = pr(1, 'M');
describe('introducedByMerges', () => {
  it.each<Case>([
    {
      name: 'a true merge brings its merged side',
      range: 'a: B; b: a; M: B b',
      associated: { a: [P1], b: [P1], M: [P1] },
      expected: { a: 1, b: 1, M: 1 },
    },
    {
      name: 'a squash commit introduces itself only',
      range: 'S: B',
      associated: { S: [pr(1, 'S')] },
      expected: { S: 1 },
    },
    {
      name: "a squashed pull request's original commits pushed directly are unreviewed",
      range: 'a: B; b: a',
      associated: { a: [pr(1, 'S')], b: [pr(1, 'S')] },
      expected: { a: null, b: null },
    },
    {
      name: 'a rebase places several commits, all introduced',
      range: "a': B; b': a'; c': b'",
      associated: { "a'": [pr(1, "c'")], "b'": [pr(1, "c'")], "c'": [pr(1, "c'")] },
      expected: { "a'": 1, "b'": 1, "c'": 1 },
    },
    {
      name: 'a rebase chain stops at a commit of another pull request',
      range: "x: B; a': x; b': a'",
      associated: { x: [pr(2, 'S2')], "a'": [pr(1, "b'")], "b'": [pr(1, "b'")] },
      expected: { x: null, "a'": 1, "b'": 1 },
    },
    {
      name: 'a commit of a merged pull request whose merge commit is not in the push is unreviewed (a rewind to an old commit)',
      range: 'a: B',
      associated: { a: [pr(1, 'M-elsewhere')] },
      expected: { a: null },
    },
    {
      name: 'a direct commit that a later pull request branched from is not brought by its merge',
      range: 'd: B; f: d; M: d f',
      associated: { d: [], f: [P1], M: [P1] },
      expected: { d: null, f: 1, M: 1 },
    },
    {
      name: 'a hand-made merge commit of no pull request introduces nothing',
      range: 'x: B; X: B x',
      associated: { x: [], X: [] },
      expected: { x: null, X: null },
    },
    {
      name: 'a pull request merged into another branch does not count',
      range: 'a: B; M: B a',
      associated: { a: [pr(1, 'M', 'develop')], M: [pr(1, 'M', 'develop')] },
      expected: { a: null, M: null },
    },
    {
      name: 'with no branch given, any base branch counts (the deployment gate)',
      range: 'a: B; M: B a',
      associated: { a: [pr(1, 'M', 'develop')], M: [pr(1, 'M', 'develop')] },
      branch: null,
      expected: { a: 1, M: 1 },
    },
    {
      name: 'two merges in one push each bring their own side',
      range: 'a: B; M1: B a; c: B; M2: M1 c',
      associated: { a: [pr(1, 'M1')], M1: [pr(1, 'M1')], c: [pr(2, 'M2')], M2: [pr(2, 'M2')] },
      expected: { a: 1, M1: 1, c: 2, M2: 2 },
    },
    {
      name: 'an unmerged pull request introduces nothing',
      range: 'a: B; M: B a',
      associated: { a: [{ ...P1, mergedAt: null }], M: [{ ...P1, mergedAt: null }] },
      expected: { a: null, M: null },
    },
    {
      name: 'a true merge whose merged side is not the reviewed head (a commit stacked on it) is not GitHub\'s merge of the pull request: nothing it brings is reviewed',
      range: 'a: B; h: a; x: h; M: B x',
      associated: { a: [{ ...P1, headSha: 'h' }], h: [{ ...P1, headSha: 'h' }], M: [{ ...P1, headSha: 'h' }] },
      expected: { a: null, h: null, x: null, M: null },
    },
    {
      name: 'a single commit on top of the reviewed head, named as the merge commit, is not GitHub\'s squash or rebase (those never descend from the head)',
      range: 'a: B; h: a; X: h',
      associated: { a: [{ ...P1, headSha: 'h', mergeCommitSha: 'X' }], h: [{ ...P1, headSha: 'h', mergeCommitSha: 'X' }], X: [{ ...P1, headSha: 'h', mergeCommitSha: 'X' }] },
      madeBy: { X: 'github' },
      expected: { a: null, h: null, X: null },
    },
    {
      name: 'a fast-forward to the reviewed head itself is the pull request\'s',
      range: 'a: B; h: a',
      associated: { a: [{ ...P1, headSha: 'h', mergeCommitSha: 'h' }], h: [{ ...P1, headSha: 'h', mergeCommitSha: 'h' }] },
      madeBy: { a: 'someone', h: 'someone' },
      expected: { a: 1, h: 1 },
    },
    {
      name: 'a merge commit made by hand (not by GitHub) introduces nothing, whatever GitHub associates with it',
      range: 'a: B; M: B a',
      associated: { a: [P1], M: [P1] },
      madeBy: { M: 'someone' },
      expected: { a: null, M: null },
    },
    {
      name: 'a merge in GitHub\'s name but not signed by it counts only with the reviewed head as its merged side',
      range: 'a: B; h: a; M: B h; N: M h2; h2: M',
      associated: { a: [{ ...P1, headSha: 'h' }], h: [{ ...P1, headSha: 'h' }], M: [{ ...P1, headSha: 'h' }], N: [pr(2, 'N')], h2: [pr(2, 'N')] },
      madeBy: { M: 'github-name', N: 'github-name' },
      expected: { a: 1, h: 1, M: 1, N: null, h2: null },
    },
    {
      name: 'a rebase merge (GitHub does not sign one) still introduces its commits',
      range: "r1: B; r2: r1",
      associated: { r1: [pr(1, 'r2')], r2: [pr(1, 'r2')] },
      madeBy: { r1: 'github-name', r2: 'github-name' },
      expected: { r1: 1, r2: 1 },
    },
  ])('$name', ({ range, associated, expected, branch, madeBy }) => {
    const nodes = history(range).map((n) => (madeBy?.[n.sha] ? { ...n, madeBy: madeBy[n.sha] } : n));
    const introduced = introducedByMerges(nodes, new Map(Object.entries(associated)), branch === undefined ? 'main' : branch);
    expect(Object.fromEntries(nodes.map((n) => [n.sha, introduced.get(n.sha)?.number ?? null]))).toEqual(expected);
  });
});
