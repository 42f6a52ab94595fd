import picomatch from 'picomatch';
import { at, listOf, plural } from '../format.js';
import { sameLogin } from '../people.js';
import type { RuleContext } from './context.js';
import { describeContributor } from './contributors.js';
import { ruleResult } from './rule-result.js';
import type { RuleResult, ScopeEvidence } from './verdict.js';

/**
 * Whether the policy applies: the base branch matches `scope.branches`
 * (`default` = the repository's default branch; globs as in branch protection,
 * where `*` stops at `/`), and not every contributor is in
 * `scope.ignore_authors`. An ignored author (a dependency bot) exempts a change
 * only while nobody else shaped it: a person who pushes to a bot's pull
 * request, or a commit nobody can be shown to answer for, brings it under the
 * policy. An out-of-scope change is still evaluated and recorded, never enforced.
 */
export function checkScope(ctx: RuleContext): { result: RuleResult<ScopeEvidence>; inScope: boolean; reason: string | null } {
  const { branches, ignore_authors: ignored } = ctx.policy.scope;
  const { baseRef, repository, author } = ctx.facts;
  const matchedPattern = matchBranch(branches, baseRef, repository.defaultBranch);
  const isIgnored = (login: string) => ignored.some((i) => sameLogin(i, login));
  const ignoredAuthor = !!author && isIgnored(author.login);
  const others = ignoredAuthor ? ctx.contributors.filter((c) => !isIgnored(c.login)) : [];
  const exempt = ignoredAuthor && others.length === 0 && ctx.unattributed.length === 0;
  const evidence: ScopeEvidence = {
    baseRef, branches, matchedPattern, author: author?.login ?? null, ignoredAuthor,
    contributorsNotIgnored: others.map((c) => c.login), unattributedCommits: ignoredAuthor ? new Set(ctx.unattributed.map((u) => u.sha)).size : 0,
  };
  const required = `Base branch ${branches.length === 1 && branches[0] === 'default' ? 'is' : 'matches'} ${listOf(branches.map((b) => (b === 'default' ? `the default branch (${repository.defaultBranch})` : `\`${b}\``)), 'or')}; exempt only when every contributor is in scope.ignore_authors`;
  const head = { rule: 'scope' as const, name: 'Scope', required, evidence };
  if (!matchedPattern) {
    const reason = `base branch \`${baseRef}\` is not in scope.branches`;
    return { result: ruleResult(head, { status: 'not_applicable', seen: `Base branch \`${baseRef}\`.`, short: reason, toPass: null }), inScope: false, reason };
  }
  if (exempt) {
    const reason = `author ${at(author!.login)} is in scope.ignore_authors, and so is every contributor`;
    return { result: ruleResult(head, { status: 'not_applicable', seen: `Base branch \`${baseRef}\`; author ${at(author!.login)}; every contributor is in scope.ignore_authors.`, short: reason, toPass: null }), inScope: false, reason };
  }
  const why = !ignoredAuthor
    ? ''
    : others.length
      ? ` is in scope.ignore_authors, but ${listOf(others.map((c) => `${at(c.login)} (${listOf(describeContributor(c))})`))} ${others.length === 1 ? 'is' : 'are'} not, so the policy applies`
      : ` is in scope.ignore_authors, but ${plural(evidence.unattributedCommits ?? 0, 'commit')} cannot be attributed to anyone, so the policy applies`;
  const seen = `Base branch \`${baseRef}\`; author ${at(author?.login)}${why}.`;
  return { result: ruleResult(head, { status: 'pass', seen, short: 'in scope', toPass: null }), inScope: true, reason: null };
}

/**
 * The first `scope.branches` pattern a branch matches (`default` = the
 * repository's default branch), or `null` when it is out of scope.
 *
 * @example matchBranch(['default', 'release/*'], 'release/2.1', 'main') // 'release/*'
 */
export function matchBranch(patterns: readonly string[], branch: string, defaultBranch: string): string | null {
  return patterns.find((p) => (p === 'default' ? branch === defaultBranch : branchMatcher(p)(branch))) ?? null;
}

const matchers = new Map<string, (branch: string) => boolean>();

function branchMatcher(pattern: string): (branch: string) => boolean {
  let m = matchers.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    matchers.set(pattern, m);
  }
  return m;
}
