import type { ChangeFacts, CommitFacts, CommitPerson, PushFact, PushSource } from '../facts.js';
import { listOf, shortSha } from '../format.js';
import { isWebFlow, sameLogin } from '../people.js';
import type { Contributor, ContributorPush, ContributorRole, UnattributedCommit } from './verdict.js';

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
 * The result is structured evidence; {@link describeContributor} puts it in
 * words ("pushed 3f2a1bc at 2026-03-04T10:02:00Z (synchronize)").
 *
 * @example
 * const { contributors } = analyseContributors(facts);
 * describeContributor(contributors.find((c) => c.login === 'bob')!); // ['pushed 3f2a1bc at … (synchronize)']
 */
export function analyseContributors(facts: ChangeFacts): ContributorAnalysis {
  const people = new People();
  const unattributed: UnattributedCommit[] = [];
  if (facts.author) people.person(facts.author.login, 'pr_author');

  const pushes = currentPushers(facts);
  // Which push brought which commit matters only for a commit in GitHub's name that GitHub did not sign.
  let attributed: ReadonlyMap<string, PushFact> | null = null;
  const pushedBy = (sha: string) => (attributed ??= pushes.length ? attributeToPushes(facts.commits, pushes) : EMPTY).get(sha);

  for (const commit of facts.commits) {
    const signedByGitHub = !!commit.signature?.isValid && commit.signature.wasSignedByGitHub;
    for (let i = 0; i < commit.authors.length; i++) {
      const person = commit.authors[i]!;
      const role = i === 0 ? 'author' : 'co_author';
      if (isWebFlow(person)) {
        if (!signedByGitHub) answerForGitHubName(commit, person, role, pushedBy, people, unattributed);
      } else if (person.user) {
        people.wrote(person.user.login, i === 0 ? 'commit_author' : 'co_author', commit.sha);
      } else {
        unattributed.push({ sha: commit.sha, role, name: person.name, email: person.email, why: 'not_linked' });
      }
    }
    const committer = commit.committer;
    if (isWebFlow(committer)) {
      if (!signedByGitHub) answerForGitHubName(commit, committer, 'committer', pushedBy, people, unattributed);
    } else if (committer.user) {
      people.wrote(committer.user.login, 'committer', commit.sha);
    }
    const signer = commit.signature?.isValid ? commit.signature.signer : null;
    if (signer && !sameLogin(signer, WEB_FLOW)) people.wrote(signer, 'signer', commit.sha);
  }
  if (pushes.length) {
    for (const push of groupPushes(pushes)) if (push.pusher) people.pushed(push.pusher, push);
  }
  return { contributors: people.list, unattributed };
}

const WEB_FLOW = 'web-flow';

/**
 * The pushes with each pusher under the login the account has now. A push
 * was recorded under the login its delivery named; the account may have been
 * renamed since (a pusher who renames himself and approves would otherwise
 * not be recognised): where the push kept the account's id and the evidence
 * read now names the same id (a review's author), that login is the pusher.
 */
function currentPushers(facts: ChangeFacts): PushFact[] {
  const pushes = facts.pushes ?? [];
  if (!pushes.some((p) => p.pusherId)) return pushes;
  const loginOf = new Map<number, string>();
  for (const actor of [facts.author, facts.merge?.mergedBy, ...facts.reviews.map((r) => r.author)]) if (actor?.id) loginOf.set(actor.id, actor.login);
  return pushes.map((push) => {
    const now = push.pusherId ? loginOf.get(push.pusherId) : undefined;
    return now && !sameLogin(now, push.pusher) ? { ...push, pusher: now, ...(push.pusher ? { formerLogin: push.pusher } : {}) } : push;
  });
}
const EMPTY: ReadonlyMap<string, PushFact> = new Map();

/** A commit in GitHub's name that GitHub did not sign: its pusher answers for it, or nobody can. */
function answerForGitHubName(
  commit: CommitFacts,
  person: CommitPerson,
  role: UnattributedCommit['role'],
  pushedBy: (sha: string) => PushFact | undefined,
  people: People,
  unattributed: UnattributedCommit[],
): void {
  const push = pushedBy(commit.sha);
  if (push?.pusher) people.answersFor(push.pusher, commit.sha);
  else unattributed.push({ sha: commit.sha, role, name: person.name, email: person.email, why: 'github_name_unsigned' });
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

/**
 * One push reported by several deliveries (`synchronize` and `push`) is one
 * piece of evidence, listing every source; a push reported once is its fact as it is.
 */
function groupPushes(pushes: readonly PushFact[]): Array<PushFact & { sources?: PushSource[] }> {
  const groups: Array<PushFact & { sources?: PushSource[] }> = [];
  for (const push of pushes) {
    const opening = push.source === 'opened' || push.source === 'reopened';
    let i = 0;
    for (; i < groups.length; i++) {
      const g = groups[i]!;
      if (g.after !== push.after || g.before !== push.before) continue;
      if (g.source === 'opened' || g.source === 'reopened' ? g.source !== push.source : opening) continue;
      if (g.pusher === null ? push.pusher === null : sameLogin(g.pusher, push.pusher)) break;
    }
    if (i === groups.length) groups.push(push);
    else {
      const g = groups[i]!;
      const sources = g.sources ?? [g.source];
      if (!sources.includes(push.source)) groups[i] = { ...g, sources: [...sources, push.source] };
    }
  }
  return groups;
}

/** Contributors by login (case-insensitive), in order of first appearance. */
class People {
  readonly list: Contributor[] = [];
  private last: Contributor | null = null;

  person(login: string, role: ContributorRole): Contributor {
    // Consecutive calls are mostly about one person (a commit's author, then its committer):
    // look for the exact spelling before comparing case-insensitively (on the hot path of every evaluation).
    let c = this.last !== null && this.last.login === login ? this.last : this.find(login);
    if (!c) {
      c = { login, roles: [], commits: [] };
      this.list.push(c);
    }
    this.last = c;
    if (!c.roles.includes(role)) c.roles.push(role);
    return c;
  }

  /** Authored, co-authored, committed or signed `sha` (commits are visited in order, so a repeat can only be the last one added). */
  wrote(login: string, role: ContributorRole, sha: string): void {
    const c = this.person(login, role);
    if (c.commits[c.commits.length - 1] !== sha) c.commits.push(sha);
    const byRole = (c.byRole ??= {});
    const list = byRole[role];
    if (!list) byRole[role] = [sha];
    else if (list[list.length - 1] !== sha) list.push(sha);
  }

  private find(login: string): Contributor | undefined {
    for (const c of this.list) if (c.login === login) return c;
    for (const c of this.list) if (sameLogin(c.login, login)) return c;
    return undefined;
  }

  pushed(login: string, push: ContributorPush): void {
    const c = this.person(login, 'pusher');
    if (push.after) addCommit(c, push.after);
    (c.pushes ??= []).push(push);
  }

  /** Pushed `sha`, a commit in GitHub's name (visited in commit order, like {@link wrote}). */
  answersFor(login: string, sha: string): void {
    const c = this.person(login, 'pusher');
    if (c.commits[c.commits.length - 1] !== sha) c.commits.push(sha);
    const list = (c.answersFor ??= []);
    if (list[list.length - 1] !== sha) list.push(sha);
  }
}

function addCommit(c: Contributor, sha: string): void {
  if (!c.commits.includes(sha)) c.commits.push(sha);
}

const SOURCE_WORDS: Record<PushFact['source'], string> = {
  opened: 'opened',
  reopened: 'reopened',
  synchronize: 'synchronize',
  push: 'push',
  force_push: 'force push',
};

const ROLE_VERBS: Partial<Record<ContributorRole, string>> = {
  commit_author: 'authored',
  co_author: 'co-authored',
  committer: 'committed',
  signer: 'signed',
};

const ROLE_WORDS: Record<ContributorRole, string> = {
  pr_author: 'opened the pull request',
  commit_author: 'authored commits',
  co_author: 'co-authored commits',
  committer: 'committed commits',
  pusher: 'pushed to its branch',
  signer: 'signed commits',
};

/**
 * Why someone counts as a contributor, in words, one line per fact:
 * "opened the pull request", "authored and committed 3f2a1bc",
 * "pushed 3f2a1bc at 2026-03-04T10:02:00Z (synchronize, push)", "signed 3f2a1bc".
 * Records written before the structured evidence fall back to the roles; a
 * record read back from a ledger may lack any field, and reads as far as it goes.
 *
 * @example describeContributor({ login: 'bob', roles: ['pusher'], commits: [sha], pushes: [push] })
 */
export function describeContributor(c: Contributor): string[] {
  const roles = Array.isArray(c.roles) ? c.roles : [];
  if (!c.byRole && !c.pushes && !c.answersFor) return roles.map((r) => ROLE_WORDS[r] ?? String(r));
  const lines: string[] = [];
  if (roles.includes('pr_author')) lines.push(ROLE_WORDS.pr_author);
  // Roles over the same commits read as one phrase: "authored and committed 3f2a1bc".
  const byRole = Object.entries(c.byRole && typeof c.byRole === 'object' ? c.byRole : {}).filter(([, commits]) => Array.isArray(commits) && commits.length > 0) as Array<[ContributorRole, string[]]>;
  const done = new Set<number>();
  byRole.forEach(([role, commits], i) => {
    if (done.has(i)) return;
    const verbs = [ROLE_VERBS[role] ?? role];
    byRole.forEach(([other, otherCommits], j) => {
      if (j > i && !done.has(j) && sameCommits(commits, otherCommits)) {
        verbs.push(ROLE_VERBS[other] ?? other);
        done.add(j);
      }
    });
    lines.push(`${listOf(verbs)} ${shaList(commits)}`);
  });
  for (const push of Array.isArray(c.pushes) ? c.pushes : []) if (push) lines.push(describePush(push));
  for (const sha of Array.isArray(c.answersFor) ? c.answersFor : []) lines.push(`pushed ${shortSha(sha)}, which carries GitHub's name without GitHub's signature`);
  return lines;
}

/** "pushed 3f2a1bc at 2026-03-04T10:02:00Z (synchronize, push)" */
export function describePush(push: ContributorPush): string {
  const when = push.at ? ` at ${push.at}` : ' (time not known)';
  const former = typeof push.formerLogin === 'string' ? `, as @${push.formerLogin} (the same account, renamed since)` : '';
  const from = ` (${(Array.isArray(push.sources) ? push.sources : [push.source]).map((s) => SOURCE_WORDS[s] ?? String(s)).join(', ')}${former})`;
  switch (push.source) {
    case 'opened':
      return `opened it with head ${shortSha(push.after)}${when}${from}`;
    case 'reopened':
      return `reopened it with head ${shortSha(push.after)}${when}${from}`;
    case 'force_push':
      return `force-pushed ${shortSha(push.before)} → ${shortSha(push.after)}${when}${from}`;
    default:
      return `pushed ${shortSha(push.after)}${when}${push.forced ? ' (forced)' : ''}${from}`;
  }
}

function sameCommits(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((sha, i) => sha === b[i]);
}

/** "3f2a1bc", "3f2a1bc and 4e5f6a7", "3f2a1bc, 4e5f6a7, 5a6b7c8 and 2 more" */
function shaList(shas: readonly string[]): string {
  const shown = shas.slice(0, 3).map(shortSha);
  return shas.length > 3 ? `${shown.join(', ')} and ${shas.length - 3} more` : listOf(shown);
}
