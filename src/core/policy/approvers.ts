import { parseCodeOwners, type CodeOwners } from '../codeowners.js';
import type { ChangedFile, ChangeFacts, CodeOwnersFacts, TeamFacts } from '../facts.js';
import { at } from '../format.js';
import { sameLogin } from '../people.js';
import type { ApproverStanding, ReviewerStanding, TeamSeen } from './verdict.js';

/** A `from` entry: a team (`@org/slug`) or a login. */
export type Approver = { kind: 'team'; team: string } | { kind: 'user'; login: string };

/** `@acme/sre` → team `acme/sre`; `carol` or `@carol` → login `carol`. */
export function parseApprover(entry: string): Approver {
  const team = /^@([^/\s]+)\/(\S+)$/.exec(entry);
  return team ? { kind: 'team', team: `${team[1]}/${team[2]}` } : { kind: 'user', login: entry.replace(/^@/, '') };
}

/** The membership the facts hold for `team` (`org/slug`, case-insensitive). */
export function teamFacts(facts: Pick<ChangeFacts, 'teams'>, team: string): TeamFacts | undefined {
  const key = team.toLowerCase();
  return facts.teams?.find((t) => t.team.toLowerCase() === key);
}

/** Whether `login` is `approver`: the login itself, or a member of the team as read. */
export function isApprover(facts: Pick<ChangeFacts, 'teams'>, approver: Approver, login: string): boolean {
  if (approver.kind === 'user') return sameLogin(approver.login, login);
  return teamFacts(facts, approver.team)?.members.some((m) => sameLogin(m, login)) ?? false;
}

/** Every changed path, with the old path of a renamed file: moving a file out of a directory changes that directory. */
export function touchedPaths(files: readonly ChangedFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    out.add(f.path);
    if (f.previousPath) out.add(f.previousPath);
  }
  return [...out];
}

/**
 * Judges each approving reviewer against a set of approvers: a qualifying
 * approval (it counts for peer review: on the head, not by a contributor, …)
 * from one of them counts; any other approval is listed with the reason.
 * `via` names the approver entry a login satisfies, or `null`.
 */
export function judgeApprovers(standings: readonly ReviewerStanding[], via: (login: string) => string | null, outsiders: string): ApproverStanding[] {
  return standings
    .filter((s) => s.state === 'APPROVED')
    .map((s) => {
      if (!s.counts) return { login: s.login, counts: false, detail: s.notCountedBecause.map((r) => r.detail).join('; ') };
      const entry = via(s.login);
      return entry ? { login: s.login, counts: true, detail: `as ${entry}` } : { login: s.login, counts: false, detail: `is not ${outsiders}` };
    });
}

/** The memberships of the given teams as the facts hold them, for the evidence. */
export function teamsSeen(facts: Pick<ChangeFacts, 'teams'>, teams: Iterable<string>): TeamSeen[] {
  const out: TeamSeen[] = [];
  for (const team of new Set([...teams].map((t) => t.toLowerCase()))) {
    const t = teamFacts(facts, team);
    if (t) out.push({ team: t.team, members: t.members, readAt: t.readAt });
  }
  return out;
}

/** "@carol (as @acme/sre)" */
export function describeApprovers(list: readonly ApproverStanding[]): string {
  const counted = list.filter((a) => a.counts);
  const not = list.filter((a) => !a.counts);
  const parts = [counted.length ? `Counted: ${counted.map((a) => `${at(a.login)} (${a.detail})`).join('; ')}` : 'No approval counts'];
  if (not.length) parts.push(`Not counted: ${not.map((a) => `${at(a.login)} (${a.detail})`).join('; ')}`);
  return `${parts.join('. ')}.`;
}

const parsed = new Map<string, CodeOwners>();

/** The base branch's CODEOWNERS, parsed once per content. */
export function codeOwnersOf(facts: CodeOwnersFacts): CodeOwners | null {
  if (!facts.file) return null;
  let hit = parsed.get(facts.file.text);
  if (!hit) {
    hit = parseCodeOwners(facts.file.text);
    if (parsed.size > 500) parsed.clear();
    parsed.set(facts.file.text, hit);
  }
  return hit;
}
