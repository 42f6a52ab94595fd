import picomatch from 'picomatch';
import { at, listOf } from '../format.js';
import type { RuleContext } from './context.js';
import { ruleResult } from './rule-result.js';
import type { RuleResult, ScopeEvidence } from './verdict.js';

/**
 * Whether the policy applies: the base branch matches `scope.branches`
 * (`default` = the repository's default branch; globs as in branch protection,
 * where `*` stops at `/`) and the author is not in `scope.ignore_authors`.
 * An out-of-scope change is still evaluated and recorded, never enforced.
 */
export function checkScope(ctx: RuleContext): { result: RuleResult<ScopeEvidence>; inScope: boolean; reason: string | null } {
  const { branches, ignore_authors: ignored } = ctx.policy.scope;
  const { baseRef, repository, author } = ctx.facts;
  const matchedPattern = matchBranch(branches, baseRef, repository.defaultBranch);
  const ignoredAuthor = !!author && ignored.some((login) => login.toLowerCase() === author.login.toLowerCase());
  const evidence: ScopeEvidence = { baseRef, branches, matchedPattern, author: author?.login ?? null, ignoredAuthor };
  const required = `Base branch ${branches.length === 1 && branches[0] === 'default' ? 'is' : 'matches'} ${listOf(branches.map((b) => (b === 'default' ? `the default branch (${repository.defaultBranch})` : `\`${b}\``)), 'or')}; author not in scope.ignore_authors`;
  const head = { rule: 'scope' as const, name: 'Scope', required, evidence };
  if (!matchedPattern) {
    const reason = `base branch \`${baseRef}\` is not in scope.branches`;
    return { result: ruleResult(head, { status: 'not_applicable', seen: `Base branch \`${baseRef}\`.`, short: reason, toPass: null }), inScope: false, reason };
  }
  const seen = `Base branch \`${baseRef}\`; author ${at(author?.login)}.`;
  if (ignoredAuthor) {
    const reason = `author ${at(author!.login)} is in scope.ignore_authors`;
    return { result: ruleResult(head, { status: 'not_applicable', seen, short: reason, toPass: null }), inScope: false, reason };
  }
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
