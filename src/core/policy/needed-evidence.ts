import type { Policy } from '../../config/policy.schema.js';
import { ownersOf } from '../codeowners.js';
import type { ChangeFacts, EvidenceGap, ReviewFacts } from '../facts.js';
import { shortSha } from '../format.js';
import { codeOwnersOf, parseApprover, teamFacts, touchedPaths } from './approvers.js';
import { matchesPath } from './path-pattern.js';
import { updateMergeCandidates } from './update-merge.js';

/** What to tell the owner of the app when a team cannot be read. */
export const TEAM_PERMISSION_FIX =
  "grant the app the organisation permission `members: read` (accept the updated permissions under the organisation's Settings → GitHub Apps), and make sure the team exists and is visible to the app";

/**
 * Whether the policy reads the changed files (path rules, code owners), and
 * whether it needs CODEOWNERS: the collector reads only what a policy needs,
 * so a policy without these keys costs what it always did.
 */
export function policyNeeds(policy: Policy): { files: boolean; codeOwners: boolean; updateMerges: boolean } {
  const pr = policy.peer_review;
  // Settings recorded before these keys existed lack them (a policy read back from the ledger).
  const rules = (pr.rules ?? []).length > 0;
  const codeOwners = pr.code_owners === true;
  return { files: rules || codeOwners, codeOwners, updateMerges: pr.keep_approvals_on_update_merge === true && pr.approval_on_head };
}

/**
 * The teams whose membership this change's evaluation depends on: the teams
 * in `from` of every path rule that matches a changed file, and the teams
 * CODEOWNERS names for the changed files (`org/slug`).
 */
export function teamsNeeded(policy: Policy, facts: Pick<ChangeFacts, 'changedFiles' | 'codeOwners'>): string[] {
  const teams = new Set<string>();
  const paths = touchedPaths(facts.changedFiles ?? []);
  for (const rule of policy.peer_review.rules ?? []) {
    if (!paths.some((p) => rule.paths.some((pattern) => matchesPath(pattern, p)))) continue;
    for (const entry of rule.from) {
      const a = parseApprover(entry);
      if (a.kind === 'team') teams.add(a.team.toLowerCase());
    }
  }
  const owners = policy.peer_review.code_owners && facts.codeOwners ? codeOwnersOf(facts.codeOwners) : null;
  if (owners) {
    for (const path of paths) for (const o of ownersOf(owners, path).owners) if (o.kind === 'team') teams.add(o.team.toLowerCase());
  }
  return [...teams];
}

/**
 * The approved earlier commits whose update merges must be judged: those of
 * each reviewer's standing approval (their latest decisive review) that only
 * merges follow.
 */
export function updateMergesNeeded(policy: Policy, facts: Pick<ChangeFacts, 'commits' | 'headSha' | 'reviews'>): string[] {
  if (!policyNeeds(policy).updateMerges) return [];
  const latest = new Map<string, ReviewFacts>();
  const ordered = [...facts.reviews].sort((a, b) => (a.submittedAt ?? '\uffff').localeCompare(b.submittedAt ?? '\uffff'));
  for (const review of ordered) {
    if (!review.author || !DECISIVE.has(review.state)) continue;
    latest.set(review.author.login.toLowerCase(), review);
  }
  const approved = [...latest.values()].filter((r) => r.state === 'APPROVED' && r.commitSha).map((r) => r.commitSha!);
  return updateMergeCandidates(facts, approved);
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * Evidence the policy needs that the facts do not hold: never judged without
 * it (the verdict is `error`, saying what to fix). Facts read for a policy
 * without path rules, code owners or update merges need nothing more.
 */
export function missingEvidence(policy: Policy, facts: ChangeFacts): EvidenceGap[] {
  const needs = policyNeeds(policy);
  const gaps: EvidenceGap[] = [];
  if (needs.files && !facts.changedFiles) gaps.push({ what: 'files', reason: 'the files the pull request changes were not read' });
  if (needs.codeOwners && !facts.codeOwners) gaps.push({ what: 'code_owners', reason: "the base branch's CODEOWNERS was not read" });
  for (const team of teamsNeeded(policy, facts)) {
    if (!teamFacts(facts, team)) gaps.push({ what: 'teams', reason: `the members of @${team} could not be read`, fix: TEAM_PERMISSION_FIX });
  }
  for (const sha of updateMergesNeeded(policy, facts)) {
    if (!facts.updateMerges?.some((u) => u.approvedSha === sha)) {
      gaps.push({ what: 'update_merge', reason: `the diffs that show whether the merges after the approved commit ${shortSha(sha)} are clean were not read` });
    }
  }
  return gaps;
}
