/**
 * The normalized evidence Changeproof decides from.
 *
 * These types are GitHub-shaped but plain data: the `github/` layer fills them
 * (one GraphQL query for a pull request), `core/` judges them, and the ledger
 * stores them verbatim as the evidence snapshot, so an auditor can re-compute a
 * verdict offline from the ledger entry alone. Every timestamp is ISO-8601 UTC
 * (`2026-03-04T10:15:00Z`), every SHA is the full 40-character object id.
 */

/** ISO-8601 UTC timestamp, e.g. `2026-03-04T10:15:00Z`. */
export type IsoTime = string;

/** A GitHub account as GitHub reports it. */
export interface Actor {
  login: string;
  /** GitHub's account id (`databaseId`), where the evidence names it: it survives a rename. */
  id?: number | null;
  /** GraphQL `__typename` / REST `type`. `Bot` for GitHub Apps (`dependabot[bot]`). */
  type: 'User' | 'Bot' | 'Organization' | 'Mannequin' | 'Unknown';
}

/** A commit's author, committer or co-author. */
export interface CommitPerson {
  name: string | null;
  email: string | null;
  /** The GitHub account the email is linked to; `null` when GitHub links it to none. */
  user: Actor | null;
}

export interface CommitFacts {
  sha: string;
  /** First line of the commit message. */
  headline: string;
  authoredAt: IsoTime | null;
  committedAt: IsoTime | null;
  /**
   * Every author GitHub lists for the commit (GraphQL `Commit.authors`): the
   * primary author first, then each `Co-authored-by:` trailer.
   */
  authors: CommitPerson[];
  committer: CommitPerson;
  url: string | null;
  /** Parent SHAs (GraphQL `Commit.parents`), to tell which push brought which commit. */
  parents: string[];
  /** The commit's signature as GitHub verified it; `null` when it carries none. */
  signature: CommitSignature | null;
}

/**
 * A commit signature as GitHub judged it (GraphQL `Commit.signature`). Only
 * GitHub's verdict counts: anyone can write any name and email into a commit,
 * but not sign it with a key GitHub has verified for an account.
 */
export interface CommitSignature {
  /** `GitSignature.isValid`: signed by a key GitHub verified (`state` is `VALID`). */
  isValid: boolean;
  /** `GitSignatureState`, e.g. `VALID`, `UNKNOWN_KEY`, `BAD_EMAIL`, `UNSIGNED`. */
  state: string;
  /** Signed with GitHub's own key (web edits, merges and squashes made on github.com). */
  wasSignedByGitHub: boolean;
  /** The account GitHub matched the signing key's email to; `null` when none. */
  signer: string | null;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface ReviewFacts {
  /** GitHub node id of the review. */
  id: string;
  /** `null` when the reviewer's account was deleted (GitHub's "ghost"). */
  author: Actor | null;
  state: ReviewState;
  submittedAt: IsoTime | null;
  /** The commit the review was given on (GraphQL `PullRequestReview.commit.oid`). */
  commitSha: string | null;
  /** GraphQL `PullRequestReview.authorCanPushToRepository`. */
  authorCanPushToRepository: boolean;
  url: string | null;
}

/** Check-run status, or `pending` for a commit status still pending. */
export type CheckStatus = 'queued' | 'in_progress' | 'waiting' | 'requested' | 'pending' | 'completed';

/**
 * Check-run conclusion, or a commit status state once it is final
 * (`success`, `failure`, `error`).
 */
export type CheckConclusion =
  | 'success'
  | 'neutral'
  | 'skipped'
  | 'failure'
  | 'cancelled'
  | 'timed_out'
  | 'action_required'
  | 'stale'
  | 'startup_failure'
  | 'error';

/** A check run or a commit status reported on the head commit. */
export interface CheckFacts {
  source: 'check_run' | 'status';
  /** Check-run name, or commit-status context. */
  name: string;
  status: CheckStatus;
  /** `null` while not completed. */
  conclusion: CheckConclusion | null;
  /**
   * GitHub's numeric id (check-run `databaseId`). GitHub allocates ids in
   * increasing order, so the highest id of a name is its latest (re-)run.
   * `null` for commit statuses, which are ordered by `at`.
   */
  databaseId: number | null;
  /** When the result was reported: completedAt ?? startedAt for a check run, createdAt for a status. */
  at: IsoTime | null;
  /** The GitHub App (slug) that created a check run, or the creator login of a status. */
  reporter: string | null;
  url: string | null;
}

export interface MergeFacts {
  mergedAt: IsoTime;
  mergedBy: Actor | null;
  /** The commit the merge produced on the base branch. */
  mergeCommitSha: string | null;
}

export interface RepositoryRef {
  owner: string;
  name: string;
  defaultBranch: string;
}

/**
 * How a push reached the pull request's head branch, as GitHub told the app:
 * the sender of a `pull_request` `opened` / `reopened` / `synchronize`
 * delivery, the sender of a `push` delivery to the head ref, or the actor of a
 * head-ref force-push in the pull request's timeline.
 */
export type PushSource = 'opened' | 'reopened' | 'synchronize' | 'push' | 'force_push';

/** The pull request's base branch changed (retargeted), as GitHub's timeline shows it. */
export interface BaseChange {
  from: string;
  to: string;
  /** Who changed it (null: an account GitHub no longer names). */
  actor: string | null;
  at: IsoTime;
}

/** A label added to or removed from the pull request, as GitHub's timeline shows it. */
export interface LabelEvent {
  action: 'labeled' | 'unlabeled';
  label: string;
  actor: string | null;
  at: IsoTime;
}

/** A push to the pull request's head branch, and who made it. */
export interface PushFact {
  source: PushSource;
  /** The login GitHub names as having pushed; `null` when it names nobody (a deleted account). */
  pusher: string | null;
  /**
   * The pusher's account id when the delivery gave it: logins can be renamed,
   * ids cannot. A pusher whose account now goes by another login is that login.
   */
  pusherId?: number | null;
  /** The login the pusher had when recorded, when the account has been renamed since (see `pusherId`). */
  formerLogin?: string;
  /** The head before the push; `null` when the delivery does not say (opened, reopened). */
  before: string | null;
  /** The head after the push. */
  after: string | null;
  /** When GitHub says the push happened (or the delivery arrived, when GitHub gives no time). */
  at: IsoTime | null;
  /** Whether the push rewrote the branch; `null` when the source does not say. */
  forced: boolean | null;
  /** The `X-GitHub-Delivery` that reported it; `null` for a timeline event read from GitHub. */
  deliveryId: string | null;
  /** The ledger entry that recorded it; `null` while not yet recorded, or for timeline events. */
  seq: number | null;
}

/** Something GitHub would not list completely; any gap makes the verdict `error`. */
export interface EvidenceGap {
  what: 'commits' | 'reviews' | 'checks' | 'labels' | 'pushes' | 'pull_request' | 'policy' | 'files' | 'code_owners' | 'teams' | 'update_merge';
  reason: string;
  /** What to do about it, when someone can (e.g. grant the app the organisation permission `members: read`). */
  fix?: string;
}

/**
 * A file the pull request changes (GraphQL `PullRequest.files`). A renamed
 * file also carries its old path: moving a file out of a protected directory
 * changes that directory.
 */
export interface ChangedFile {
  path: string;
  /** The path before a rename; `null` otherwise. */
  previousPath: string | null;
  /** `PatchStatus`: ADDED, DELETED, MODIFIED, RENAMED, COPIED, CHANGED. */
  changeType: string;
}

/**
 * The CODEOWNERS file of the base branch, as GitHub would use it: the first of
 * `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` that exists at the base
 * branch's head. Never read from the pull request's own commits.
 */
export interface CodeOwnersFacts {
  /** The base branch it was read from. */
  ref: string;
  /** The base branch's head commit when it was read. */
  commitSha: string;
  /** `null` when the base branch has no CODEOWNERS file. */
  file: { path: string; blobSha: string; text: string } | null;
  readAt: IsoTime;
}

/** A team's members as the app read them (GraphQL `Team.members`, child teams included). */
export interface TeamFacts {
  /** `org/slug`, e.g. `acme/sre`. */
  team: string;
  /** Member logins. */
  members: string[];
  /** When GitHub answered (a cached answer keeps its original time). */
  readAt: IsoTime;
}

/** One file of a diff as GitHub's compare API lists it. */
export interface DiffFile {
  path: string;
  previousPath: string | null;
  /** added, removed, modified, renamed, copied, changed, unchanged */
  status: string;
  /** The blob SHA after the change; `null` when GitHub gives none. */
  blobSha: string | null;
}

/** A three-dot diff (`GET /repos/{o}/{r}/compare/{base}...{head}`): what `head` changes against its merge base with `base`. */
export interface DiffFacts {
  base: string;
  head: string;
  mergeBase: string;
  /** `ahead`, `behind`, `identical` or `diverged`. */
  status: string;
  files: DiffFile[];
  /** False when GitHub cut the list of files (it lists at most 300). */
  complete: boolean;
}

/**
 * What it takes to tell whether the commits after an approved one are clean
 * merges of the base branch: the change's diff at the approved commit, the
 * diff now, and what the base branch changed in between.
 */
export interface UpdateMergeFacts {
  /** The commit the approval was given on. */
  approvedSha: string;
  /** The change's diff against its base at the approved commit (`base...approvedSha`). */
  before: DiffFacts;
  /** The change's diff against its base at the head (`base...headSha`). */
  after: DiffFacts;
  /** What the base branch changed between the two merge bases (`before.mergeBase...after.mergeBase`). */
  baseChanges: DiffFacts;
}

/** Everything Changeproof knows about one pull request at one moment. */
export interface ChangeFacts {
  repository: RepositoryRef;
  number: number;
  url: string;
  title: string;
  body: string;
  /** The pull request's opener; `null` for a deleted account. */
  author: Actor | null;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  baseRef: string;
  headRef: string;
  /** The repository the head branch lives in (`owner/name`): another one for a fork; `null` when it was deleted. */
  headRepository: string | null;
  baseSha: string;
  headSha: string;
  labels: string[];
  createdAt: IsoTime;
  /** Set once the pull request is merged; the evaluation is then final ("at merge"). */
  merge: MergeFacts | null;
  commits: CommitFacts[];
  reviews: ReviewFacts[];
  /** Check runs and commit statuses on `headSha`, every run (re-runs included). */
  checks: CheckFacts[];
  /**
   * Every push to the head branch while it backed the pull request that the
   * app was told of (recorded as the deliveries arrived) or that GitHub's
   * timeline shows (force pushes), oldest first.
   */
  pushes: PushFact[];
  /**
   * Changes of the base branch (GitHub's timeline), oldest first: an approval
   * given before one approved a different change. Absent in facts recorded
   * before they were read.
   */
  baseChanges?: BaseChange[];
  /**
   * Labels added and removed (GitHub's timeline), oldest first: which labels
   * a change carried when it merged. Absent in facts recorded before they were read.
   */
  labelEvents?: LabelEvent[];
  /**
   * The files the pull request changes; read only when the policy has path
   * rules or code owners (absent otherwise, and in older records).
   */
  changedFiles?: ChangedFile[];
  /** The base branch's CODEOWNERS; read only when `peer_review.code_owners` is on. */
  codeOwners?: CodeOwnersFacts;
  /** Members of the teams the policy or CODEOWNERS name for this change; read only when needed. */
  teams?: TeamFacts[];
  /** For approvals on earlier commits, when `peer_review.keep_approvals_on_update_merge` is on. */
  updateMerges?: UpdateMergeFacts[];
  /** When the evidence was read from GitHub. */
  collectedAt: IsoTime;
  /** Empty when the evidence is complete. */
  gaps: EvidenceGap[];
}
