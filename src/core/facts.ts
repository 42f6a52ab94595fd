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

/** Something GitHub would not list completely; any gap makes the verdict `error`. */
export interface EvidenceGap {
  what: 'commits' | 'reviews' | 'checks' | 'labels' | 'pull_request' | 'policy';
  reason: string;
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
  /** When the evidence was read from GitHub. */
  collectedAt: IsoTime;
  /** Empty when the evidence is complete. */
  gaps: EvidenceGap[];
}
