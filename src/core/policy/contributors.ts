import type { ChangeFacts, CommitFacts, CommitPerson, PushFact } from '../facts.js';
import { listOf, shortSha } from '../format.js';
import { isWebFlow, sameLogin } from '../people.js';
import type { Contributor, ContributorRole, UnattributedCommit } from './verdict.js';

/** Who contributed to a change, and the commits nobody can be shown to answer for. */
export interface ContributorAnalysis {
  contributors: Contributor[];
  unattributed: UnattributedCommit[];
}

/**
 * Everyone who shaped the change (SPEC "Who is a contributor"): the author;
 * every account GitHub links as author, co-author or committer of a commit;
 * every account that pushed to the head branch while it backed the pull
 * request; and the signer of every commit with a verified signature.
 *
 * Commit metadata is text anyone can write, so GitHub's own name
 * (`web-flow`, `noreply@github.com`) is believed only on a commit GitHub
 * signed with its own key. Any other commit in GitHub's name is answered for
 * by whoever pushed it; when no push of it was received it is unattributed.
 *
 * @example
 * const { contributors } = analyseContributors(facts);
 * contributors.find((c) => c.login === 'bob')?.reasons; // ['pushed 3f2a1bc at 2026-03-04T10:02:00Z (synchronize)']
 */
export function analyseContributors(facts: ChangeFacts): ContributorAnalysis {
  const people = new People();
  const unattributed: UnattributedCommit[] = [];
  if (facts.author) people.add(facts.author.login, 'pr_author', null, OPENED);

  const pushes = facts.pushes ?? [];
  const pushedBy = pushes.length ? attributeToPushes(facts.commits, pushes) : EMPTY;
  for (const push of groupPushes(pushes)) {
    if (push.pusher) people.add(push.pusher, 'pusher', push.after, describePush(push));
  }

  for (const commit of facts.commits) {
    const signedByGitHub = !!commit.signature?.isValid && commit.signature.wasSignedByGitHub;
    commit.authors.forEach((person, i) => {
      const role = i === 0 ? 'author' : 'co_author';
      if (isWebFlow(person)) {
        if (!signedByGitHub) answerForGitHubName(commit, person, role, pushedBy, people, unattributed);
      } else if (person.user) {
        people.add(person.user.login, i === 0 ? 'commit_author' : 'co_author', commit.sha, null);
      } else {
        unattributed.push({ sha: commit.sha, role, name: person.name, email: person.email, why: 'not_linked' });
      }
    });
    const committer = commit.committer;
    if (isWebFlow(committer)) {
      if (!signedByGitHub) answerForGitHubName(commit, committer, 'committer', pushedBy, people, unattributed);
    } else if (committer.user) {
      people.add(committer.user.login, 'committer', commit.sha, null);
    }
    const signer = commit.signature?.isValid ? commit.signature.signer : null;
    if (signer && !sameLogin(signer, WEB_FLOW)) people.add(signer, 'signer', commit.sha, null);
  }
  return { contributors: people.list(), unattributed };
}

const WEB_FLOW = 'web-flow';
const EMPTY: ReadonlyMap<string, PushFact> = new Map();

/** A commit in GitHub's name that GitHub did not sign: its pusher answers for it, or nobody can. */
function answerForGitHubName(
  commit: CommitFacts,
  person: CommitPerson,
  role: UnattributedCommit['role'],
  pushedBy: ReadonlyMap<string, PushFact>,
  people: People,
  unattributed: UnattributedCommit[],
): void {
  const push = pushedBy.get(commit.sha);
  if (push?.pusher) {
    people.add(push.pusher, 'pusher', commit.sha, `pushed ${shortSha(commit.sha)}, which carries GitHub's name without GitHub's signature`);
  } else {
    unattributed.push({ sha: commit.sha, role, name: person.name, email: person.email, why: 'github_name_unsigned' });
  }
}

/**
 * The push that first brought each commit: pushes in time order, each
 * bringing the pull request's commits reachable from its `after` and not from
 * its `before` (by parent links, within the pull request). Opening or
 * reopening a pull request pushes nothing, so it attributes no commit.
 */
export function attributeToPushes(commits: readonly CommitFacts[], pushes: readonly PushFact[]): Map<string, PushFact> {
  const parents = new Map(commits.map((c) => [c.sha, c.parents ?? []]));
  const reach = (from: string | null): Set<string> => {
    const seen = new Set<string>();
    const stack = from && parents.has(from) ? [from] : [];
    while (stack.length) {
      const sha = stack.pop()!;
      if (seen.has(sha)) continue;
      seen.add(sha);
      for (const p of parents.get(sha)!) if (parents.has(p) && !seen.has(p)) stack.push(p);
    }
    return seen;
  };
  const out = new Map<string, PushFact>();
  const ordered = pushes
    .map((push, i) => ({ push, i, t: push.at ? Date.parse(push.at) : Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  for (const { push } of ordered) {
    if (push.source === 'opened' || push.source === 'reopened' || !push.after) continue;
    const before = reach(push.before);
    for (const sha of reach(push.after)) if (!before.has(sha) && !out.has(sha)) out.set(sha, push);
  }
  return out;
}

/** One push reported by several deliveries (`synchronize` and `push`) is one line of evidence. */
function groupPushes(pushes: readonly PushFact[]): Array<PushFact & { sources: string[] }> {
  const groups = new Map<string, PushFact & { sources: string[] }>();
  for (const push of pushes) {
    const key = `${(push.pusher ?? '').toLowerCase()}\u0000${push.before ?? ''}\u0000${push.after ?? ''}\u0000${push.source === 'opened' || push.source === 'reopened' ? push.source : 'push'}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { ...push, sources: [push.source] });
    else if (!group.sources.includes(push.source)) group.sources.push(push.source);
  }
  return [...groups.values()];
}

const SOURCE_WORDS: Record<PushFact['source'], string> = {
  opened: 'opened',
  reopened: 'reopened',
  synchronize: 'synchronize',
  push: 'push',
  force_push: 'force push',
};

/** "pushed 3f2a1bc at 2026-03-04T10:02:00Z (synchronize, push)" */
export function describePush(push: PushFact & { sources?: string[] }): string {
  const when = push.at ? ` at ${push.at}` : ' (time not known)';
  const sources = ` (${(push.sources ?? [push.source]).map((s) => SOURCE_WORDS[s as PushFact['source']] ?? s).join(', ')})`;
  switch (push.source) {
    case 'opened':
      return `opened it with head ${shortSha(push.after)}${when}${sources}`;
    case 'reopened':
      return `reopened it with head ${shortSha(push.after)}${when}${sources}`;
    case 'force_push':
      return `force-pushed ${shortSha(push.before)} → ${shortSha(push.after)}${when}${sources}`;
    default:
      return `pushed ${shortSha(push.after)}${when}${push.forced ? ' (forced)' : ''}${sources}`;
  }
}

/** Contributors by login (case-insensitive), in order of first appearance. */
class People {
  private readonly byLogin = new Map<string, { c: Contributor; shas: Map<ContributorRole, string[]>; reasons: string[] }>();

  /** A role for a commit (reason: null, worded from the role) or with its own words (pushes, the opener). */
  add(login: string, role: ContributorRole, sha: string | null, reason: string | null): void {
    const key = login.toLowerCase();
    let p = this.byLogin.get(key);
    if (!p) {
      p = { c: { login, roles: [], commits: [], reasons: [] }, shas: new Map(), reasons: [] };
      this.byLogin.set(key, p);
    }
    if (!p.c.roles.includes(role)) p.c.roles.push(role);
    if (sha && !p.c.commits.includes(sha)) p.c.commits.push(sha);
    if (reason !== null) {
      if (!p.reasons.includes(reason)) p.reasons.push(reason);
    } else if (sha) {
      const list = p.shas.get(role);
      if (!list) p.shas.set(role, [sha]);
      else if (!list.includes(sha)) list.push(sha);
    }
  }

  list(): Contributor[] {
    return [...this.byLogin.values()].map(({ c, shas, reasons }) => {
      // Roles over the same commits read as one phrase: "authored and committed 3f2a1bc".
      const byCommits = new Map<string, string[]>();
      for (const [role, list] of shas) {
        const key = list.join(',');
        byCommits.set(key, [...(byCommits.get(key) ?? []), ROLE_VERBS[role]]);
      }
      const worded = [...byCommits].map(([key, verbs]) => `${listOf(verbs)} ${shaList(key.split(','))}`);
      c.reasons = [...reasons.filter((r) => r === OPENED), ...worded, ...reasons.filter((r) => r !== OPENED)];
      return c;
    });
  }
}

const OPENED = 'opened the pull request';

const ROLE_VERBS: Record<ContributorRole, string> = {
  pr_author: 'opened',
  commit_author: 'authored',
  co_author: 'co-authored',
  committer: 'committed',
  pusher: 'pushed',
  signer: 'signed',
};

/** "3f2a1bc", "3f2a1bc and 4e5f6a7", "3f2a1bc, 4e5f6a7, 5a6b7c8 and 2 more" */
function shaList(shas: readonly string[]): string {
  const shown = shas.slice(0, 3).map(shortSha);
  return shas.length > 3 ? `${shown.join(', ')} and ${shas.length - 3} more` : listOf(shown);
}
