import type { PointOfFocus, RuleId } from '../cc81.js';
import type { CheckConclusion, CheckStatus, IsoTime, PushFact, PushSource, ReviewState } from '../facts.js';

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
  /**
   * With `keep_approvals_on_update_merge`, for an approval of an earlier
   * commit: whether the later commits are clean merges of the base branch (it
   * then still counts), and why. Absent otherwise.
   */
  updateMerge?: { kept: boolean; why: string; merges: string[] };
}

export interface NotCountedReason {
  code: 'stale' | 'not_in_change' | 'bot' | 'no_write_access' | 'author' | 'contributor' | 'after_merge' | 'base_changed';
  /** e.g. "approved an older commit abc1234, not the head def5678" */
  detail: string;
}

export interface PeerReviewEvidence {
  requiredApprovals: number;
  counted: number;
  reviewers: ReviewerStanding[];
}

/** How one reviewer fared against a set of approvers (a path rule's `from`, or a file's code owners). */
export interface ApproverStanding {
  login: string;
  /** Counted: through which entry (`carol`, `@acme/sre`); not counted: why. */
  counts: boolean;
  detail: string;
}

/** A team's membership as a rule relied on it, and when it was read. */
export interface TeamSeen {
  team: string;
  members: string[];
  readAt: string;
}

export interface PathRuleEvidence {
  name: string;
  paths: string[];
  approvals: number;
  from: string[];
  /** Changed paths (old paths of renames included) that match the rule's patterns. */
  matchedFiles: string[];
  /** Qualifying approvals from `from`. */
  counted: number;
  approvers: ApproverStanding[];
  teams: TeamSeen[];
}

export interface CodeOwnedFile {
  path: string;
  /** The deciding CODEOWNERS line; `null` when no line matches. */
  line: number | null;
  pattern: string | null;
  /** `@login`, `@org/team` or an email; empty = no owner's approval needed. */
  owners: string[];
  /** Owners' qualifying approvals that cover this file. */
  approvedBy: string[];
}

export interface CodeOwnersEvidence {
  /** The CODEOWNERS file used, from the base branch; `null` when there is none. */
  source: { ref: string; commitSha: string; path: string; blobSha: string; readAt: string } | { ref: string; commitSha: string; path: null; blobSha: null; readAt: string };
  files: CodeOwnedFile[];
  /** Lines GitHub skips because of their syntax. */
  skippedLines: { line: number; message: string }[];
  approvers: ApproverStanding[];
  teams: TeamSeen[];
}

export interface ChangesRequestedEvidence {
  enabled: boolean;
  blocking: { login: string; submittedAt: IsoTime | null; commitSha: string | null; url: string | null }[];
}

export type ContributorRole = 'pr_author' | 'commit_author' | 'co_author' | 'committer' | 'pusher' | 'signer';

export interface Contributor {
  login: string;
  roles: ContributorRole[];
  /** Full SHAs of the commits they authored, co-authored, committed, signed or pushed. */
  commits: string[];
  /** The commits of each commit role (`commit_author`, `co_author`, `committer`, `signer`), in order. Absent in older records. */
  byRole?: Partial<Record<ContributorRole, string[]>>;
  /** Their pushes to the head branch, each with every source that reported it. Absent in older records. */
  pushes?: ContributorPush[];
  /** Commits in GitHub's name that GitHub did not sign, which they pushed and so answer for. */
  answersFor?: string[];
}

/**
 * A push as contributor evidence: the push fact, and — when several
 * deliveries reported the same push (a `synchronize` and a `push`) — every
 * source that did.
 */
export type ContributorPush = Pick<PushFact, 'source' | 'before' | 'after' | 'at' | 'forced'> & Partial<PushFact> & { sources?: PushSource[] };

export interface UnattributedCommit {
  sha: string;
  role: 'author' | 'co_author' | 'committer';
  name: string | null;
  email: string | null;
  /**
   * - `not_linked`: the email is linked to no GitHub account;
   * - `github_name_unsigned`: it carries GitHub's name (`web-flow`,
   *   noreply@github.com) without GitHub's signature, and no push of it was received.
   * Absent in records written before the distinction (all `not_linked`).
   */
  why?: 'not_linked' | 'github_name_unsigned';
}

/** A commit that fails `separation_of_duties.require_verified_signatures`, and why. */
export interface UnverifiedCommit {
  sha: string;
  /** e.g. "is not signed", "has a signature GitHub could not verify (UNKNOWN_KEY)", "is signed by @bob, not by its author @alice" */
  why: string;
}

export interface SeparationOfDutiesEvidence {
  author: string | null;
  contributors: Contributor[];
  unattributedCommits: UnattributedCommit[];
  /** Whether every commit had to carry a signature GitHub verified (absent in older records: false). */
  requireVerifiedSignatures?: boolean;
  /** Commits that fail that requirement (empty when it is off or met). */
  unverifiedCommits?: UnverifiedCommit[];
  /** Pushes GitHub names nobody for (a deleted account), and whether the push of the head commit was received. */
  pushes?: { recorded: number; unknownPushers: number; headPushKnown: boolean };
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
  /** The `checks.required` entries this check satisfies (their labels: `build`, `build (check run by app github-actions)`). */
  requiredBy: string[];
  /** Judged at merge: the run finished only after the merge, so at merge it still ran (`result` is then `pending`). */
  finishedAfterMerge?: true;
  /**
   * A status context whose latest status cannot count (posted by a contributor, by an
   * account GitHub does not name, or after the merge), where every check must pass: what
   * it replaced cannot be seen, so its result is unknown (`result` is then `pending`). Says why.
   */
  hidden?: string;
}

export interface ChecksEvidence {
  headSha: string;
  /** The latest result of each check that the rule judged. */
  considered: CheckSeen[];
  /**
   * Checks on the head that were not judged, and why (not required, superseded
   * by a re-run, our own, posted by a contributor, from another source than
   * the one a required entry pins), with who reported it where that matters.
   */
  ignored: { name: string; source: 'check_run' | 'status'; why: string; reporter?: string | null }[];
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
  /** The author is in `scope.ignore_authors`. */
  ignoredAuthor: boolean;
  /** When the author is ignored: the contributors who are not (they bring the change under the policy). */
  contributorsNotIgnored?: string[];
  /** When the author is ignored: commits nobody can be shown to answer for (they bring it under the policy too). */
  unattributedCommits?: number;
}

export interface EmergencyEvidence {
  label: string;
  labelled: boolean;
  hours: number;
  deadline: IsoTime | null;
}
