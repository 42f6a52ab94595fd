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
  // The named pull request is queued, but in another group now (the queue rebuilt it,
  // say after an entry ahead of it left): this group is no longer the queue's, and the
  // entries ahead of the pull request now say nothing about what this group holds.
  if (!byHead && byName?.groupHeadSha && byName.groupHeadSha !== group.headSha) {
    return { ok: false, reason: `the merge queue now builds #${group.named} in the group ${shortSha(byName.groupHeadSha)}, not in this one (${shortSha(group.headSha)}), so the queue no longer says what this group holds` };
  }
  const last = Math.max(byHead?.position ?? 0, byName?.position ?? 0);
  const members = sorted.filter((e) => e.position <= last);
  const unseen = members.filter((e) => e.number === null);
  if (unseen.length) return { ok: false, reason: `GitHub did not give the pull request of the queue entry at position ${listOf(unseen.map((e) => String(e.position)))}` };
  return { ok: true, entries: members, matchedBy: byHead ? 'head_commit' : 'head_ref' };
}

/**
 * Whether a merge group built from the queue holds what its members are judged
 * on, and nothing else, from the commits it would bring to its base branch
 * (`base...groupHead`, oldest first). The queue builds a group as a chain of
 * commits of its own on the base branch, one per pull request in queue order:
 * with the `MERGE` method a merge whose second parent is that pull request's
 * head, with `SQUASH` a single-parent commit. So: every commit of the range is a
 * member's own commit or one of that chain; the chain has one commit per member
 * and ends at the group's head; and with `MERGE`, each member's head as judged
 * (now) is the one its merge commit merges — a pull request pushed to after the
 * group was built is judged on a head the group does not hold. `REBASE` copies
 * the commits, which cannot be matched to the pull requests: not checked.
 *
 * @returns null when the group holds its members and nothing else (or the method cannot be checked); otherwise why not, in words
 */
export function groupHoldsMembers(
  range: readonly RangeNode[],
  members: ReadonlyArray<{ number: number; commits: readonly string[]; headSha: string }>,
  groupHead: string,
  method: string | null,
): string | null {
  if (method !== 'MERGE' && method !== 'SQUASH') return null;
  const inRange = new Set(range.map((c) => c.sha));
  if (!inRange.has(groupHead)) return `the group's head ${shortSha(groupHead)} brings nothing its base branch lacks, so what it holds cannot be told`;
  const own = new Set(method === 'MERGE' ? members.flatMap((m) => m.commits) : []);
  const made = range.filter((c) => !own.has(c.sha));
  const names = listOf(members.map((m) => `#${m.number}`));
  const expected = `one ${method === 'MERGE' ? 'merge' : 'squash'} commit for each of ${names}, one on the other`;
  if (made.length !== members.length) {
    const shown = made.slice(0, 10).map((c) => shortSha(c.sha)).join(', ');
    return `the group brings ${made.length} ${made.length === 1 ? 'commit' : 'commits'} of its own (${shown}${made.length > 10 ? ', …' : ''})${method === 'MERGE' ? ' besides the commits of its pull requests' : ''}; ${expected} was expected`;
  }
  // The queue's chain, from the group's head back along first parents to the base branch.
  const bySha = new Map(made.map((c) => [c.sha, c]));
  const chain: RangeNode[] = [];
  for (let at = bySha.get(groupHead); at; at = bySha.get(at.parents[0] ?? '')) {
    chain.unshift(at);
    if (chain.length > made.length) break;
  }
  const root = chain[0]?.parents[0];
  if (chain.length !== made.length || root === undefined || inRange.has(root)) {
    return `the group's commits are not ${expected} on its base branch, ending at its head ${shortSha(groupHead)}`;
  }
  for (let i = 0; i < chain.length; i += 1) {
    const [, merged, ...more] = chain[i]!.parents;
    const member = members[i]!;
    if (more.length) return `the group's commit ${shortSha(chain[i]!.sha)} merges more than one commit`;
    if (method === 'SQUASH' && merged !== undefined) return `the group's commit ${shortSha(chain[i]!.sha)} is a merge, not a squash of #${member.number}`;
    if (method === 'MERGE' && merged !== member.headSha) {
      return merged === undefined
        ? `the group's commit ${shortSha(chain[i]!.sha)} merges nothing, where a merge of #${member.number}'s head ${shortSha(member.headSha)} was expected`
        : `the group merges ${shortSha(merged)} for #${member.number}, not its head as judged now, ${shortSha(member.headSha)}`;
    }
  }
  return null;
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
