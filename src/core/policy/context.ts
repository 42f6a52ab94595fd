import type { Policy } from '../../config/policy.schema.js';
import type { ChangeFacts } from '../facts.js';
import { isWebFlow, sameLogin } from '../people.js';
import type { Contributor, ContributorRole, Stage } from './verdict.js';

/** What every rule reads; computed once per evaluation. */
export interface RuleContext {
  policy: Policy;
  facts: ChangeFacts;
  stage: Stage;
  contributors: Contributor[];
}

export function buildContext(policy: Policy, facts: ChangeFacts): RuleContext {
  return {
    policy,
    facts,
    stage: facts.merge ? 'merge' : 'open',
    contributors: listContributors(facts),
  };
}

/**
 * The author plus every GitHub account that authored, co-authored or
 * committed a commit of the pull request; GitHub's web-flow committer is not a
 * person and never a contributor.
 */
export function listContributors(facts: ChangeFacts): Contributor[] {
  const byLogin = new Map<string, Contributor>();
  const add = (login: string, role: ContributorRole, sha: string | null) => {
    const key = login.toLowerCase();
    let c = byLogin.get(key);
    if (!c) {
      c = { login, roles: [], commits: [] };
      byLogin.set(key, c);
    }
    if (!c.roles.includes(role)) c.roles.push(role);
    if (sha && !c.commits.includes(sha)) c.commits.push(sha);
  };
  if (facts.author) add(facts.author.login, 'pr_author', null);
  for (const commit of facts.commits) {
    for (let i = 0; i < commit.authors.length; i++) {
      const person = commit.authors[i]!;
      if (person.user && !isWebFlow(person)) add(person.user.login, i === 0 ? 'commit_author' : 'co_author', commit.sha);
    }
    if (commit.committer.user && !isWebFlow(commit.committer)) add(commit.committer.user.login, 'committer', commit.sha);
  }
  return [...byLogin.values()];
}

export function isContributor(ctx: RuleContext, login: string): boolean {
  return ctx.contributors.some((c) => sameLogin(c.login, login));
}
