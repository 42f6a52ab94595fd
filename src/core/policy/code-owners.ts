import { describeOwner, ownersOf, type CodeOwner } from '../codeowners.js';
import { listOf, plural, shortSha } from '../format.js';
import { sameLogin } from '../people.js';
import { codeOwnersOf, describeApprovers, judgeApprovers, teamFacts, teamsSeen, touchedPaths } from './approvers.js';
import type { RuleContext } from './context.js';
import { ruleResult } from './rule-result.js';
import type { CodeOwnedFile, CodeOwnersEvidence, ReviewerStanding, RuleResult } from './verdict.js';

/** Files listed in words before "and N more"; the evidence keeps all. */
const MAX_NAMED = 10;

/**
 * `peer_review.code_owners`: every changed path (a renamed file's old path
 * too) needs a qualifying approval from one of its code owners, as the base
 * branch's CODEOWNERS names them — the last matching line wins, and a line
 * without owners (or no matching line) needs none. CODEOWNERS comes from the
 * base branch only: a pull request that edits it does not change who owns
 * what until it is merged. Without any CODEOWNERS on the base branch the
 * requirement cannot be met (the policy asks for owners nobody named):
 * non-compliant, saying so.
 */
export function checkCodeOwners(ctx: RuleContext, standings: ReviewerStanding[]): RuleResult<CodeOwnersEvidence> | null {
  if (!ctx.policy.peer_review.code_owners) return null;
  const source = ctx.facts.codeOwners!;
  const owners = codeOwnersOf(source);
  const paths = touchedPaths(ctx.facts.changedFiles ?? []);
  const required = "Every changed file approved by one of its code owners (the base branch's CODEOWNERS; the last matching line wins)";
  const base = { ref: source.ref, commitSha: source.commitSha, readAt: source.readAt };
  const evidenceSource: CodeOwnersEvidence['source'] = source.file
    ? { ...base, path: source.file.path, blobSha: source.file.blobSha }
    : { ...base, path: null, blobSha: null };
  if (!owners) {
    const evidence: CodeOwnersEvidence = { source: evidenceSource, files: [], skippedLines: [], approvers: [], teams: [] };
    const head = { rule: 'code_owners' as const, name: 'Code owners', required, evidence };
    return ruleResult(head, {
      status: 'fail',
      seen: `${source.ref} (${shortSha(source.commitSha)}) has no CODEOWNERS file in .github/, the root or docs/.`,
      short: 'no CODEOWNERS on the base branch',
      toPass: `add a CODEOWNERS file to ${source.ref}, or turn off peer_review.code_owners`,
    });
  }
  const isOwner = (owner: CodeOwner, login: string): boolean =>
    owner.kind === 'user' ? sameLogin(owner.login, login) : owner.kind === 'team' ? (teamFacts(ctx.facts, owner.team)?.members.some((m) => sameLogin(m, login)) ?? false) : false;
  const counting = standings.filter((s) => s.counts);
  const files: CodeOwnedFile[] = paths.map((path) => {
    const o = ownersOf(owners, path);
    return {
      path,
      line: o.line,
      pattern: o.pattern,
      owners: o.owners.map(describeOwner),
      approvedBy: counting.filter((s) => o.owners.some((owner) => isOwner(owner, s.login))).map((s) => s.login),
    };
  });
  const owned = files.filter((f) => f.owners.length > 0);
  const ownerEntries = new Map<string, CodeOwner>();
  for (const path of paths) for (const o of ownersOf(owners, path).owners) ownerEntries.set(describeOwner(o), o);
  const judged = judgeApprovers(
    standings,
    (login) => [...ownerEntries].find(([, o]) => isOwner(o, login))?.[0] ?? null,
    'a code owner of any changed file',
  );
  const teams = [...ownerEntries.values()].flatMap((o) => (o.kind === 'team' ? [o.team] : []));
  const evidence: CodeOwnersEvidence = {
    source: evidenceSource,
    files,
    skippedLines: owners.problems.map((p) => ({ line: p.line, message: p.message })),
    approvers: judged,
    teams: teamsSeen(ctx.facts, teams),
  };
  const head = { rule: 'code_owners' as const, name: 'Code owners', required, evidence };
  const from = `${source.file!.path} at ${source.ref} (${shortSha(source.commitSha)}, blob ${shortSha(source.file!.blobSha)})`;
  const skipped = evidence.skippedLines.length ? ` Skipped as invalid, as GitHub does: ${evidence.skippedLines.map((l) => `line ${l.line} (${l.message})`).join('; ')}.` : '';
  if (!owned.length) {
    return ruleResult(head, { status: 'not_applicable', seen: `No changed file has a code owner in ${from}.${skipped}`, short: 'no code owner required', toPass: null });
  }
  const waiting = owned.filter((f) => f.approvedBy.length === 0);
  const named = (list: CodeOwnedFile[]) =>
    listOf([...list.slice(0, MAX_NAMED).map((f) => `\`${f.path}\` (${listOf(f.owners, 'or')}, line ${f.line})`), ...(list.length > MAX_NAMED ? [`${list.length - MAX_NAMED} more`] : [])]);
  const teamNote = evidence.teams.length ? ` Teams as read: ${evidence.teams.map((t) => `@${t.team} (${plural(t.members.length, 'member')} read at ${t.readAt})`).join('; ')}.` : '';
  const seen = `Owners from ${from}. ${describeApprovers(judged)}${waiting.length ? ` Awaiting an owner: ${named(waiting)}.` : ''}${teamNote}${skipped}`;
  if (!waiting.length) return ruleResult(head, { status: 'pass', seen, short: 'code owners approved', toPass: null });
  const open = ctx.stage === 'open';
  const emailOnly = waiting.filter((f) => f.owners.every((o) => !o.startsWith('@')));
  return ruleResult(head, {
    status: open ? 'pending' : 'fail',
    seen,
    short: `${waiting.length} of ${owned.length} owned files awaiting a code owner`,
    toPass: open
      ? `a qualifying approval from a code owner of ${named(waiting)}${emailOnly.length ? `; owners given only by email cannot be matched to an account, so name them by @login in CODEOWNERS` : ''}`
      : 'the change was merged without it; record a retrospective review or an exception',
  });
}
