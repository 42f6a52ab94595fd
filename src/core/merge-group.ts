import type { ChangeFacts, IsoTime } from './facts.js';
import { listOf, shortSha } from './format.js';
import type { RangeNode } from './introduced-by.js';
import type { Verdict } from './policy/verdict.js';
import type { MergeGroupMember, MergeGroupRecord, MergeGroupStanding } from './records.js';
import { verdictTitle } from './render/check-run.js';

/**
 * Merge queues, decided: which pull requests a merge group holds, and what
 * the group's check concludes from their verdicts. Pure; the job in
 * `app/jobs/evaluate-merge-group.ts` gathers, this decides.
 */

/**
 * The branch GitHub's merge queue builds a group on:
 * `gh-readonly-queue/<base branch>/pr-<number>-<sha>` (GitHub docs, "Managing a
 * merge queue"), the pull request being the last one of the group.
 */
const QUEUE_BRANCH = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The base branch and the pull request a merge group's branch names.
 *
 * @example parseQueueBranch('refs/heads/gh-readonly-queue/main/pr-7-<40 hex>') // { base: 'main', number: 7, sha: '<40 hex>' }
 */
export function parseQueueBranch(ref: string): { base: string; number: number; sha: string } | null {
  const match = QUEUE_BRANCH.exec(ref);
  if (!match) return null;
  const number = Number(match[2]);
  return Number.isSafeInteger(number) && number > 0 ? { base: match[1]!, number, sha: match[3]! } : null;
}

/** Whether a branch is one of the merge queue's temporary branches (`gh-readonly-queue/…`). */
export function isQueueBranch(ref: string): boolean {
  return /^(?:refs\/heads\/)?gh-readonly-queue\//.test(ref);
}

/** One entry of a merge queue, as GitHub lists it (GraphQL `MergeQueueEntry`). */
export interface QueueEntry {
  /** 1 = next to merge. */
  position: number;
  /** `QUEUED`, `AWAITING_CHECKS`, `MERGEABLE`, `UNMERGEABLE`, `LOCKED`. */
  state: string;
  /** The pull request; `null` when GitHub did not give it. */
  number: number | null;
  url: string | null;
  /** The pull request's head commit when the queue was read. */
  pullRequestHead: string | null;
  /** The entry's merge group commit (`MergeQueueEntry.headCommit`). */
  groupHeadSha: string | null;
  enqueuer: string | null;
  enqueuedAt: IsoTime | null;
}

export type GroupMembers =
  | { ok: true; entries: QueueEntry[]; matchedBy: 'head_commit' | 'head_ref' }
  | { ok: false; reason: string };

/**
 * The pull requests of a merge group, from its queue: every entry up to and
 * including the group's own — the one whose merge group commit is the group's
 * head, or else the one the group's branch names. A group is built on every
 * entry ahead of it, so all of them are in it; an entry that joined ahead
 * later makes the list longer, never shorter, which only makes the check
 * stricter. When both ways find an entry and they differ, the later one counts.
 *
 * @example membersFromQueue(entries, { headSha, named: 7 }) // { ok: true, entries: [#5, #7], matchedBy: 'head_commit' }
 */
export function membersFromQueue(entries: readonly QueueEntry[], group: { headSha: string; named: number | null }): GroupMembers {
  const sorted = [...entries].sort((a, b) => a.position - b.position);
  const byHead = sorted.find((e) => e.groupHeadSha === group.headSha);
  const byName = group.named === null ? undefined : sorted.find((e) => e.number === group.named);
  if (!byHead && !byName) {
    return { ok: false, reason: `the merge queue lists no entry for this group (none has its head commit ${shortSha(group.headSha)}${group.named === null ? '' : ` or is #${group.named}`}; it may have been merged or removed since)` };
  }
  const last = Math.max(byHead?.position ?? 0, byName?.position ?? 0);
  const members = sorted.filter((e) => e.position <= last);
  const unseen = members.filter((e) => e.number === null);
  if (unseen.length) return { ok: false, reason: `GitHub did not give the pull request of the queue entry at position ${listOf(unseen.map((e) => String(e.position)))}` };
  return { ok: true, entries: members, matchedBy: byHead ? 'head_commit' : 'head_ref' };
}

/**
 * Whether a merge group holds one pull request and nothing else, judged from
 * the commits it would bring to its base branch (`base...groupHead`): besides
 * the pull request's own commits, exactly one commit made by the queue — the
 * group's head — built on the base branch: a merge of the pull request's head
 * (second parent) or a squash (one parent). Anything more is another change
 * riding in the group (a pull request ahead of it, a commit slipped in); a
 * rebase queue places several commits and cannot be told apart this way. Used
 * only when the queue itself cannot say, so that a branch name alone never
 * vouches for a group.
 *
 * @returns null when the group holds only the pull request; otherwise why not, in words
 */
export function soleChangeOfGroup(range: readonly RangeNode[], pr: { number: number; commits: readonly string[]; headSha: string }, groupHead: string): string | null {
  const inRange = new Set(range.map((c) => c.sha));
  const own = new Set(pr.commits);
  const made = range.filter((c) => !own.has(c.sha));
  if (!inRange.has(groupHead)) return `the group's head ${shortSha(groupHead)} brings nothing its base branch lacks, so what it holds cannot be told`;
  if (made.length !== 1) {
    const shown = made.slice(0, 10).map((c) => shortSha(c.sha)).join(', ');
    return `besides the commits of #${pr.number}, the group brings ${made.length} commits (${shown}${made.length > 10 ? ', …' : ''}); one merge or squash commit of #${pr.number} alone was expected`;
  }
  const head = made[0]!;
  if (head.sha !== groupHead) return `the group's head ${shortSha(groupHead)} is one of #${pr.number}'s own commits, not a commit the queue made`;
  const [base, merged, ...more] = head.parents;
  if (base === undefined || inRange.has(base) || more.length) return `the group's head ${shortSha(groupHead)} is not built directly on its base branch`;
  if (merged !== undefined && merged !== pr.headSha) return `the group's head merges ${shortSha(merged)}, not #${pr.number}'s head ${shortSha(pr.headSha)}`;
  return null;
}

/**
 * How a pull request's verdict counts in its group — as its own check run
 * shows it: a success passes, a neutral (an emergency change, a change not
 * enforced) makes the group neutral, anything else fails it. A verdict that
 * is still pending fails the group: the queue waits for no one.
 */
export function standingOf(verdict: Verdict): MergeGroupStanding {
  if (!verdict.enforced) return 'not_enforced';
  if (verdict.outcome === 'compliant') return 'passes';
  if (verdict.outcome === 'emergency') return 'emergency';
  return 'fails';
}

/** The rules a verdict does not meet, in the words of its own check run. */
export function unmetRules(verdict: Verdict): MergeGroupMember['failing'] {
  return verdict.rules
    .filter((r): r is typeof r & { status: 'fail' | 'pending' } => (r.status === 'fail' || r.status === 'pending') && r.rule !== 'scope' && r.rule !== 'emergency')
    .map((r) => ({ rule: r.rule, name: r.name, status: r.status, short: r.short, toPass: r.toPass }));
}

/** A member of a group: where the queue had it, and its evaluation. */
export function groupMember(
  entry: { number: number; url: string | null; position: number | null; enqueuer: string | null; enqueuedAt: IsoTime | null },
  evaluation: { verdict: Verdict; facts: ChangeFacts | null },
): MergeGroupMember {
  const { verdict, facts } = evaluation;
  return {
    number: entry.number,
    url: facts?.url ?? entry.url ?? verdict.subject.url,
    position: entry.position,
    enqueuer: entry.enqueuer,
    enqueuedAt: entry.enqueuedAt,
    headSha: verdict.subject.headSha,
    outcome: verdict.outcome,
    enforced: verdict.enforced,
    standing: standingOf(verdict),
    headline: verdictTitle(verdict),
    failing: unmetRules(verdict),
    verdict,
    facts,
  };
}

/**
 * The group's conclusion: `success` only when every pull request in it is
 * compliant; `neutral` when none fails but one is an emergency change or not
 * enforced (the group shows what that pull request's own check shows, and
 * GitHub lets a neutral required check through, as it does on the pull
 * request); `failure` when one is not compliant, pending or not evaluable,
 * or when the group's pull requests could not be established at all.
 *
 * @example judgeMergeGroup(members, null) // { conclusion: 'failure', reason: 'not every pull request in the group is compliant: #2 (…)' }
 */
export function judgeMergeGroup(members: readonly MergeGroupMember[], membershipProblem: string | null): Pick<MergeGroupRecord, 'conclusion' | 'reason'> {
  if (membershipProblem !== null) return { conclusion: 'failure', reason: `the pull requests of this merge group could not be established: ${membershipProblem}` };
  if (!members.length) return { conclusion: 'failure', reason: 'the merge group holds no pull request that could be judged' };
  const failing = members.filter((m) => m.standing === 'fails');
  if (failing.length) {
    return { conclusion: 'failure', reason: `not every pull request in the group is compliant: ${failing.map((m) => `#${m.number} (${m.headline})`).join('; ')}` };
  }
  const neutral = members.filter((m) => m.standing !== 'passes');
  if (neutral.length) return { conclusion: 'neutral', reason: neutral.map((m) => `#${m.number} ${m.standing === 'emergency' ? 'is an emergency change' : 'is not enforced'} (${m.headline})`).join('; ') };
  return { conclusion: 'success', reason: null };
}
