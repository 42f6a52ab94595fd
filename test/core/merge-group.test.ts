import { describe, expect, it } from 'vitest';
import { introducedByMerges, type MergedPullRequest, type RangeNode } from '../../src/core/introduced-by.js';
import { groupHoldsMembers, groupMember, isQueueBranch, judgeMergeGroup, membersFromQueue, parseQueueBranch, soleChangeOfGroup, type QueueEntry } from '../../src/core/merge-group.js';
import { evaluate } from '../../src/core/policy/evaluate.js';
import { errorVerdict, subjectOf } from '../../src/core/policy/special-verdicts.js';
import type { MergeGroupMember, MergeGroupRecord } from '../../src/core/records.js';
import { renderMergeGroupCheckRun } from '../../src/core/render/merge-group-check-run.js';
import { check, NOW, policy, pullRequest, review, sha } from './facts-builder.js';

const SHA = 'c'.repeat(40);

describe('parseQueueBranch: the pull request and base branch a merge group’s branch names', () => {
  it.each([
    { ref: `refs/heads/gh-readonly-queue/main/pr-104-${SHA}`, expected: { base: 'main', number: 104, sha: SHA } },
    { ref: `gh-readonly-queue/main/pr-7-${SHA}`, expected: { base: 'main', number: 7, sha: SHA } },
    { ref: `refs/heads/gh-readonly-queue/release/2026.03/pr-12-${SHA}`, expected: { base: 'release/2026.03', number: 12, sha: SHA } },
    { ref: `refs/heads/gh-readonly-queue/main/pr-0-${SHA}`, expected: null },
    { ref: 'refs/heads/gh-readonly-queue/main/pr-7-abc', expected: null },
    { ref: `refs/heads/feature/pr-7-${SHA}`, expected: null },
    { ref: `refs/heads/gh-readonly-queue/main/pr-99999999999999999999-${SHA}`, expected: null },
  ])('$ref', ({ ref, expected }) => {
    expect(parseQueueBranch(ref)).toEqual(expected);
    expect(isQueueBranch(ref)).toBe(ref.includes('gh-readonly-queue/'));
  });
});

const entry = (position: number, number: number | null, groupHeadSha: string | null = sha(`group-${position}`)): QueueEntry => ({
  position, state: 'AWAITING_CHECKS', number, url: number === null ? null : `https://github.com/acme/api/pull/${number}`, pullRequestHead: sha(`head-${number}`),
  groupHeadSha, enqueuer: 'bob', enqueuedAt: '2026-03-10T09:00:00Z',
});

describe('membersFromQueue: a group holds every entry up to and including its own', () => {
  const queue = [entry(1, 5), entry(2, 7), entry(3, 9)];
  it.each([
    { name: 'the entry whose merge group commit is the group’s, and all ahead of it', entries: queue, group: { headSha: sha('group-2'), named: 7 }, members: [5, 7], matchedBy: 'head_commit' },
    { name: 'the first entry’s group holds it alone', entries: queue, group: { headSha: sha('group-1'), named: 5 }, members: [5], matchedBy: 'head_commit' },
    { name: 'the queue’s order is by position, whatever order GitHub lists them in', entries: [queue[2]!, queue[0]!, queue[1]!], group: { headSha: sha('group-2'), named: null }, members: [5, 7], matchedBy: 'head_commit' },
    { name: 'no entry has the head commit, and GitHub gives no group commit for the one the branch names: that one', entries: [queue[0]!, queue[1]!, entry(3, 9, null)], group: { headSha: sha('elsewhere'), named: 9 }, members: [5, 7, 9], matchedBy: 'head_ref' },
    { name: 'the two ways disagree: the later entry counts (stricter)', entries: queue, group: { headSha: sha('group-1'), named: 7 }, members: [5, 7], matchedBy: 'head_commit' },
  ])('$name', ({ entries, group, members, matchedBy }) => {
    const found = membersFromQueue(entries, group);
    expect(found.ok && found.entries.map((e) => e.number)).toEqual(members);
    expect(found.ok && found.matchedBy).toBe(matchedBy);
  });

  it.each([
    { name: 'the queue lists neither the head commit nor the named pull request', entries: queue, group: { headSha: sha('elsewhere'), named: 11 }, reason: /^the merge queue lists no entry for this group \(none has its head commit [0-9a-f]{7} or is #11;/ },
    { name: 'an empty queue', entries: [], group: { headSha: sha('group-1'), named: null }, reason: /^the merge queue lists no entry for this group/ },
    { name: 'the named pull request is queued in another group now (a rebuilt queue; this group is stale)', entries: queue, group: { headSha: sha('elsewhere'), named: 9 }, reason: /^the merge queue now builds #9 in the group [0-9a-f]{7}, not in this one \([0-9a-f]{7}\), so the queue no longer says what this group holds$/ },
    { name: 'an entry ahead whose pull request GitHub did not give', entries: [entry(1, null), entry(2, 7)], group: { headSha: sha('group-2'), named: 7 }, reason: /^GitHub did not give the pull request of the queue entry at position 1$/ },
  ])('not established: $name', ({ entries, group, reason }) => {
    const found = membersFromQueue(entries, group);
    expect(found.ok).toBe(false);
    expect(!found.ok && found.reason).toMatch(reason);
  });
});

/** Histories as `sha: parents`; `B` is the base branch (outside the range). */
function history(spec: string): RangeNode[] {
  return spec.trim().split(/\s*;\s*/).map((part) => {
    const [s, parents] = part.split(':').map((x) => x.trim()) as [string, string | undefined];
    return { sha: s, parents: parents ? parents.split(/\s+/) : [] };
  });
}

describe('soleChangeOfGroup: with only the branch name, the group’s commits must hold that pull request alone', () => {
  const pr = { number: 7, commits: ['a', 'b'], headSha: 'b' };
  it.each([
    { name: 'a merge of the pull request’s head onto the base branch', range: 'a: B; b: a; M: B b', head: 'M', problem: null },
    { name: 'a squash onto the base branch', range: 'S: B', head: 'S', problem: null },
    { name: 'a merge whose pull request was partly on the base already', range: 'b: a; M: B b', head: 'M', problem: null },
    { name: 'another pull request merged ahead of it', range: 'x: B; M1: B x; a: B; b: a; M: M1 b', head: 'M', problem: /the group brings 3 commits/ },
    { name: 'another pull request squashed ahead of it', range: 'S1: B; S: S1', head: 'S', problem: /the group brings 2 commits/ },
    { name: 'a pull request ahead whose commits this one also holds', range: 'a: B; M1: B a; b: a; M: M1 b', head: 'M', problem: /the group brings 2 commits/ },
    { name: 'a merge of an older commit than the head judged', range: 'a: B; M: B a', head: 'M', problem: /^the group's head merges a, not #7's head b$/ },
    { name: 'a rebase of two commits cannot be told apart', range: "a': B; b': a'", head: "b'", problem: /the group brings 2 commits/ },
    { name: 'the head is one of its own commits', range: 'a: B; b: a', head: 'b', problem: /brings 0 commits/ },
    { name: 'the group brings nothing (already on the base branch)', range: '', head: 'M', problem: /brings nothing its base branch lacks/ },
  ])('$name', ({ range, head, problem }) => {
    const result = soleChangeOfGroup(range ? history(range) : [], pr, head);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });
});

describe('groupHoldsMembers: a group from the queue holds its pull requests at the heads judged, and nothing else', () => {
  const one = { number: 1, commits: ['a'], headSha: 'a' };
  const two = { number: 2, commits: ['b', 'c'], headSha: 'c' };
  it.each([
    { name: 'two merges, one on the other, in queue order', method: 'MERGE', range: 'a: B; M1: B a; b: B; c: b; M2: M1 c', head: 'M2', members: [one, two], problem: null },
    { name: 'one merge', method: 'MERGE', range: 'a: B; M1: B a', head: 'M1', members: [one], problem: null },
    { name: 'two squashes, one on the other', method: 'SQUASH', range: 'S1: B; S2: S1', head: 'S2', members: [one, two], problem: null },
    { name: 'a rebase queue is not checked this way', method: 'REBASE', range: "a': B; x: a'", head: 'x', members: [one], problem: null },
    { name: 'an unknown method is not checked this way', method: null, range: 'x: B', head: 'x', members: [one], problem: null },
    { name: 'a commit slipped in on top of the group', method: 'MERGE', range: 'a: B; M1: B a; x: M1', head: 'x', members: [one], problem: /^the group brings 2 commits of its own \(M1, x\) besides the commits of its pull requests; one merge commit for each of #1, one on the other was expected$/ },
    { name: 'a squash too many', method: 'SQUASH', range: 'S1: B; x: S1', head: 'x', members: [one], problem: /the group brings 2 commits of its own/ },
    { name: 'the group merged an older head than the one judged (pushed to since)', method: 'MERGE', range: 'b: B; M2: B b', head: 'M2', members: [two], problem: /^the group merges b for #2, not its head as judged now, c$/ },
    { name: 'a force-pushed pull request: the group holds commits it no longer has', method: 'MERGE', range: "a0: B; M1: B a0", head: 'M1', members: [one], problem: /the group brings 2 commits of its own/ },
    { name: 'queue order swapped', method: 'MERGE', range: 'b: B; c: b; M2: B c; a: B; M1: M2 a', head: 'M1', members: [one, two], problem: /^the group merges c for #1/ },
    { name: 'a merge commit not on the chain', method: 'MERGE', range: 'a: B; M1: B a; b: B; c: b; M2: B c', head: 'M2', members: [one, two], problem: /are not one merge commit for each of #1 and #2, one on the other on its base branch/ },
    { name: 'a squash that is a merge', method: 'SQUASH', range: 'S1: B a', head: 'S1', members: [one], problem: /^the group's commit S1 is a merge, not a squash of #1$/ },
    { name: 'the group brings nothing', method: 'MERGE', range: '', head: 'M1', members: [one], problem: /brings nothing its base branch lacks/ },
  ])('$name', ({ method, range, head, members, problem }) => {
    const result = groupHoldsMembers(range ? history(range) : [], members, head, method);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });
});

describe("the queue's push: its merge commits introduce their pull requests", () => {
  const pr = (number: number, mergeCommitSha: string): MergedPullRequest => ({ number, url: null, mergedAt: '2026-03-10T10:00:00Z', mergeCommitSha, baseRef: 'main' });
  it.each([
    {
      name: 'two true merges, the second on the first',
      range: 'a: B; M1: B a; b: B; M2: M1 b',
      associated: { a: [pr(1, 'M1')], M1: [pr(1, 'M1')], b: [pr(2, 'M2')], M2: [pr(2, 'M2')] },
      expected: { a: 1, M1: 1, b: 2, M2: 2 },
    },
    { name: 'two squashes', range: 'S1: B; S2: S1', associated: { S1: [pr(1, 'S1')], S2: [pr(2, 'S2')] }, expected: { S1: 1, S2: 2 } },
    {
      name: 'two rebases',
      range: "a': B; b': a'; c': b'",
      associated: { "a'": [pr(1, "a'")], "b'": [pr(2, "c'")], "c'": [pr(2, "c'")] },
      expected: { "a'": 1, "b'": 2, "c'": 2 },
    },
    {
      name: 'a commit slipped in between the groups is not reviewed',
      range: 'S1: B; x: S1; S2: x',
      associated: { S1: [pr(1, 'S1')], S2: [pr(2, 'S2')] },
      expected: { S1: 1, x: null, S2: 2 },
    },
  ])('$name', ({ range, associated, expected }) => {
    const introduced = introducedByMerges(history(range), new Map(Object.entries(associated)), 'main');
    expect(Object.fromEntries(history(range).map((c) => [c.sha, introduced.get(c.sha)?.number ?? null]))).toEqual(expected);
  });
});

/** A group member from facts judged by the default policy (or a given verdict). */
function member(number: number, facts = pullRequest({ number, url: `https://github.com/acme/api/pull/${number}` }), settings = {}): MergeGroupMember {
  return groupMember({ number, url: facts.url, position: number, enqueuer: 'bob', enqueuedAt: '2026-03-10T09:00:00Z' }, { verdict: evaluate(policy(settings), facts, NOW), facts });
}
const compliant = (n: number) => member(n);
const pending = (n: number) => member(n, pullRequest({ number: n, reviews: [] }));
const nonCompliant = (n: number) => member(n, pullRequest({ number: n, checks: [check('ci', 'failure')] }));
const emergency = (n: number) => member(n, pullRequest({ number: n, reviews: [], labels: ['emergency'] }));
const ignored = (n: number) => member(n, pullRequest({ number: n, author: { login: 'dependabot[bot]', type: 'Bot' }, commits: [] }), { scope: { ignore_authors: ['dependabot[bot]'] } });
const unreadable = (n: number): MergeGroupMember => {
  const facts = pullRequest({ number: n });
  return groupMember({ number: n, url: null, position: n, enqueuer: null, enqueuedAt: null }, { verdict: errorVerdict(subjectOf(facts), 'GitHub failed (HTTP 502)', 'open', NOW), facts: null });
};

describe('judgeMergeGroup: success only when every pull request is compliant', () => {
  it.each([
    { name: 'every one compliant', members: [compliant(1), compliant(2)], conclusion: 'success', reason: null },
    { name: 'one still short of an approval (the queue waits for no one)', members: [compliant(1), pending(2)], conclusion: 'failure', reason: 'not every pull request in the group is compliant: #2 (Pending: 0 of 1 approval)' },
    { name: 'one not compliant', members: [nonCompliant(1), compliant(2)], conclusion: 'failure', reason: 'not every pull request in the group is compliant: #1 (Not compliant: check `ci` (failure) failed)' },
    { name: 'one not evaluable', members: [compliant(1), unreadable(2)], conclusion: 'failure', reason: 'not every pull request in the group is compliant: #2 (Evaluation error: GitHub failed (HTTP 502). Re-run to retry)' },
    { name: 'an emergency change: neutral, as its own check', members: [compliant(1), emergency(2)], conclusion: 'neutral', reason: '#2 is an emergency change (Emergency change: approval due within 48 h of merge)' },
    { name: 'an emergency change beside a failing one: failure', members: [emergency(1), nonCompliant(2)], conclusion: 'failure', reason: /^not every pull request in the group is compliant: #2 / },
    { name: 'a change not enforced (ignored author): neutral, as its own check', members: [compliant(1), ignored(2)], conclusion: 'neutral', reason: /^#2 is not enforced \(Not enforced: author @dependabot\[bot\] is in scope\.ignore_authors/ },
    { name: 'nobody to judge', members: [], conclusion: 'failure', reason: 'the merge group holds no pull request that could be judged' },
  ])('$name → $conclusion', ({ members, conclusion, reason }) => {
    const judged = judgeMergeGroup(members, null);
    expect(judged.conclusion).toBe(conclusion);
    if (reason instanceof RegExp) expect(judged.reason).toMatch(reason);
    else expect(judged.reason).toBe(reason);
  });

  it('members that would pass cannot make up for a group whose members could not be established', () => {
    expect(judgeMergeGroup([compliant(1)], 'the merge queue could not be read')).toEqual({
      conclusion: 'failure',
      reason: 'the pull requests of this merge group could not be established: the merge queue could not be read',
    });
  });
});

function record(members: MergeGroupMember[], membership: MergeGroupRecord['membership'] = { source: 'merge_queue', detail: 'taken from the merge queue of `main`: every entry up to and including this group\'s own', mergeMethod: 'MERGE' }): MergeGroupRecord {
  const problem = membership.source === null ? membership.detail : null;
  return {
    trigger: { event: 'merge_group', action: 'checks_requested', deliveryId: 'd-1', sender: 'bob' },
    baseRef: 'main', headRef: `gh-readonly-queue/main/pr-${members.at(-1)?.number ?? 1}-${SHA}`, baseSha: SHA, headSha: sha('group'), evaluatedAt: '2026-03-10T12:00:00Z',
    membership, pullRequests: members, ...judgeMergeGroup(members, problem), policy: null,
  };
}

describe('renderMergeGroupCheckRun', () => {
  it.each([
    { name: 'all compliant', r: record([compliant(1), compliant(2)]), conclusion: 'success', title: 'Compliant: all 2 pull requests of the group (#1, #2)' },
    { name: 'one compliant', r: record([compliant(3)]), conclusion: 'success', title: "Compliant: the group's pull request #3" },
    { name: 'failing ones named with their unmet rules', r: record([nonCompliant(1), compliant(2), pending(3)]), conclusion: 'failure', title: 'Not compliant: #1 (check `ci` (failure) failed); #3 (still pending: 0 of 1 approval)' },
    { name: 'only evaluation errors', r: record([compliant(1), unreadable(2)]), conclusion: 'failure', title: 'Evaluation error: #2 could not be evaluated. Re-run to retry' },
    { name: 'an error beside a failure', r: record([unreadable(1), nonCompliant(2)]), conclusion: 'failure', title: 'Not compliant: #1 (could not be evaluated: GitHub failed (HTTP 502)); #2 (check `ci` (failure) failed)' },
    { name: 'emergency', r: record([compliant(1), emergency(2)]), conclusion: 'neutral', title: '#2: Emergency change: approval due within 48 h of merge' },
    { name: 'not established', r: record([compliant(1)], { source: null, detail: 'the merge queue could not be read', mergeMethod: null }), conclusion: 'failure', title: 'Evaluation error: the pull requests of this merge group could not be established. Re-run to retry' },
  ])('$name', ({ r, conclusion, title }) => {
    const view = renderMergeGroupCheckRun(r);
    expect(view).toMatchObject({ name: 'Change control (CC8.1)', status: 'completed', conclusion, title });
    if (conclusion !== 'success') expect(view.summary).toContain('Use **Re-run** on this check');
    else expect(view.summary).not.toContain('Re-run');
  });

  it('the summary has a row per pull request saying what it lacks, and what to do', () => {
    const view = renderMergeGroupCheckRun(record([compliant(1), nonCompliant(2)]));
    expect(view.summary).toContain('### ❌ Not compliant: 1 of 2 pull requests in this merge group');
    expect(view.summary).toContain('| ✅ | [#1](https://github.com/acme/api/pull/1) Add rate limiting by @alice | 1 | `');
    expect(view.summary).toContain('| Not compliant | Checks: check `ci` (failure) failed |');
    expect(view.summary).toContain('**#2** — Not compliant: check `ci` (failure) failed\n- Checks: ');
    expect(view.summary).toContain(`This merge group (head \`${sha('group')}\` on \`gh-readonly-queue/main/pr-2-${SHA}\`, to merge into \`main\``);
  });

  it('a title of many failing pull requests stays within one line of 200 characters', () => {
    const view = renderMergeGroupCheckRun(record(Array.from({ length: 20 }, (_, i) => nonCompliant(i + 1))));
    expect(view.title.length).toBe(200);
    expect(view.title.endsWith('…')).toBe(true);
  });

  it('text from a pull request cannot break the table', () => {
    const facts = pullRequest({ number: 4, title: 'x | y\n<img src=x>', url: 'https://github.com/acme/api/pull/4' });
    const view = renderMergeGroupCheckRun(record([member(4, facts)]));
    expect(view.summary).toContain('[#4](https://github.com/acme/api/pull/4) x \\| y &lt;img src=x&gt; by @alice');
  });

  it('reviews on another commit are named as its own check names them', () => {
    const facts = pullRequest({ number: 5, reviews: [review('bob', 'APPROVED', { on: sha('old') })] });
    expect(member(5, facts).headline).toBe('Pending: 0 of 1 approval');
  });
});
