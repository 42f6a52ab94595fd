import type { Policy } from '../../config/policy.schema.js';
import type { ChangeFacts } from '../facts.js';
import { sameLogin } from '../people.js';
import { analyseContributors } from './contributors.js';
import type { Contributor, Stage, UnattributedCommit } from './verdict.js';

/** What every rule reads; computed once per evaluation. */
export interface RuleContext {
  policy: Policy;
  facts: ChangeFacts;
  stage: Stage;
  contributors: Contributor[];
  /** Commits nobody can be shown to answer for. */
  unattributed: UnattributedCommit[];
}

export function buildContext(policy: Policy, facts: ChangeFacts): RuleContext {
  const { contributors, unattributed } = analyseContributors(facts);
  return { policy, facts, stage: facts.merge ? 'merge' : 'open', contributors, unattributed };
}

export function isContributor(ctx: RuleContext, login: string): boolean {
  return ctx.contributors.some((c) => sameLogin(c.login, login));
}
