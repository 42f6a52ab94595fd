import type { PointOfFocus, RuleId } from '../cc81.js';
import type { CheckConclusion, CheckStatus, IsoTime, ReviewState } from '../facts.js';

/**
 * - `compliant`: every requirement met.
 * - `non_compliant`: something someone must fix (or, at merge, anything unmet).
 * - `pending`: ordinary progress can still meet every unmet requirement (open PRs only).
 * - `emergency`: labelled as an emergency and unmet only for want of review.
 * - `error`: the evidence could not be established; never a pass.
 */
export type Outcome = 'compliant' | 'non_compliant' | 'pending' | 'emergency' | 'error';

/** `not_applicable`: the rule does not apply (turned off, or nothing to check). */
export type RuleStatus = 'pass' | 'fail' | 'pending' | 'not_applicable';

/** When the evaluation happened: while the PR is open, or final, at merge. */
export type Stage = 'open' | 'merge';

/** One rule's result: what it required, what it saw and what to do to pass. */
export interface RuleResult<E = unknown> {
  rule: RuleId;
  /** Display name, e.g. "Peer review". */
  name: string;
  status: RuleStatus;
  /** What the policy requires, in words. */
  required: string;
  /** What was seen: the people, commits, checks and times relied on. */
  seen: string;
  /** A short phrase for a check-run title, e.g. "1 of 2 approvals". */
  short: string;
  /** What to do to pass; `null` when nothing is to be done. */
  toPass: string | null;
  /** The structured evidence behind `seen`. */
  evidence: E;
  pointsOfFocus: readonly PointOfFocus[];
}

export interface Verdict {
  outcome: Outcome;
  /** False when the change is out of scope or by an ignored author: recorded, never enforced. */
  enforced: boolean;
  /** Why the change is not enforced; `null` when it is. */
  notEnforcedReason: string | null;
  stage: Stage;
  evaluatedAt: IsoTime;
  subject: VerdictSubject;
  rules: RuleResult[];
  /** Set when the emergency label is on the change. */
  emergency: EmergencyInfo | null;
  /** Set when the outcome is `error`: what could not be established. */
  error: string | null;
  engineVersion: number;
}

export interface VerdictSubject {
  /** `owner/name` */
  repository: string;
  number: number;
  url: string;
  headSha: string;
  baseRef: string;
  author: string | null;
  mergeCommitSha: string | null;
  mergedAt: IsoTime | null;
  mergedBy: string | null;
}

export interface EmergencyInfo {
  label: string;
  hours: number;
  /** `mergedAt + hours`; `null` while the change is open. */
  deadline: IsoTime | null;
}

/** A reviewer's standing: their latest decisive review and whether it counts as an approval. */
export interface ReviewerStanding {
  login: string;
  /** Latest of APPROVED / CHANGES_REQUESTED / DISMISSED; COMMENTED when they only commented. */
  state: ReviewState;
  submittedAt: IsoTime | null;
  commitSha: string | null;
  url: string | null;
  onHead: boolean;
  isBot: boolean;
  canPush: boolean;
  /** True when this is an APPROVED review that satisfies every condition of the policy. */
  counts: boolean;
  /** Why an approval does not count, each with a code and the words shown to people. */
  notCountedBecause: NotCountedReason[];
}

export interface NotCountedReason {
  code: 'stale' | 'not_in_change' | 'bot' | 'no_write_access' | 'author' | 'contributor';
  /** e.g. "approved an older commit abc1234, not the head def5678" */
  detail: string;
}

export interface PeerReviewEvidence {
  requiredApprovals: number;
  counted: number;
  reviewers: ReviewerStanding[];
}

export interface ChangesRequestedEvidence {
  enabled: boolean;
  blocking: { login: string; submittedAt: IsoTime | null; commitSha: string | null; url: string | null }[];
}

export type ContributorRole = 'pr_author' | 'commit_author' | 'co_author' | 'committer';

export interface Contributor {
  login: string;
  roles: ContributorRole[];
  /** Full SHAs of the commits they authored, co-authored or committed. */
  commits: string[];
}

export interface UnattributedCommit {
  sha: string;
  role: 'author' | 'co_author';
  name: string | null;
  email: string | null;
}

export interface SeparationOfDutiesEvidence {
  author: string | null;
  contributors: Contributor[];
  unattributedCommits: UnattributedCommit[];
  /** Approvals set aside because the approver wrote part of the change. */
  excludedApprovals: { login: string; reason: string }[];
  merger: { login: string | null; sameAsAuthor: boolean } | null;
}

export type CheckResult = 'passing' | 'failing' | 'pending';

export interface CheckSeen {
  name: string;
  source: 'check_run' | 'status';
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  result: CheckResult;
  at: IsoTime | null;
  url: string | null;
  reporter: string | null;
  /** The `checks.required` patterns this check satisfies. */
  requiredBy: string[];
}

export interface ChecksEvidence {
  headSha: string;
  /** The latest result of each check that the rule judged. */
  considered: CheckSeen[];
  /** Checks on the head that were not judged, and why (not required, superseded by a re-run, our own). */
  ignored: { name: string; source: 'check_run' | 'status'; why: string }[];
  requiredPatterns: string[];
  missingRequired: string[];
  passing: number;
  minPassing: number;
}

export interface ChangeRequestEvidence {
  pattern: string | null;
  match: { field: 'title' | 'body' | 'head branch'; text: string } | null;
}

export interface ScopeEvidence {
  baseRef: string;
  branches: string[];
  matchedPattern: string | null;
  author: string | null;
  ignoredAuthor: boolean;
}

export interface EmergencyEvidence {
  label: string;
  labelled: boolean;
  hours: number;
  deadline: IsoTime | null;
}
