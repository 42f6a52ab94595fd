import type { PolicyProblem } from '../config/parse-policy.js';
import type { Policy } from '../config/policy.schema.js';
import type { ChangeFacts, IsoTime } from './facts.js';
import type { DeploymentDecision, DeploymentFacts } from './policy/deployment-range.js';
import type { Outcome, Verdict } from './policy/verdict.js';

/**
 * The `data` of each kind of ledger entry the app writes. The export reads
 * them back, so these shapes are part of the ledger's contract: add optional
 * fields, never change existing ones (see docs/ledger-records.md).
 */

/** What caused an entry: a webhook delivery, a sweep for missed work, or an automatic retry. */
export interface Trigger {
  event: string;
  action: string | null;
  /** `X-GitHub-Delivery`, or the synthetic id of a sweep or retry. */
  deliveryId: string;
  /** The login of whoever caused the event on GitHub. */
  sender: string | null;
}

/** One file a policy was built from (base first), enough to fetch its exact bytes again. */
export interface PolicySourceFile {
  repository: string;
  path: string;
  blobSha: string;
  ref: string | null;
  commitSha: string | null;
}

/** The policy an evaluation applied, with its source; or why the file could not be used. */
export type PolicyRecord =
  | { valid: true; settings: Policy; files: PolicySourceFile[] }
  | { valid: false; problems: PolicyProblem[]; files: PolicySourceFile[] };

/** `evaluation` (and `change`): everything needed to re-compute the verdict offline. */
export interface EvaluationRecord {
  trigger: Trigger;
  /**
   * Other deliveries this evaluation answered, oldest first: they arrived while
   * it waited to run and were folded into it (checks finishing together,
   * reviews). Absent when it answered its trigger alone.
   */
  coalesced?: Trigger[];
  verdict: Verdict;
  /** The evidence the verdict was computed from; `null` when none could be gathered. */
  facts: ChangeFacts | null;
  /** `null` when the policy could not be read (the verdict is then `error`). */
  policy: PolicyRecord | null;
}

/**
 * The deliveries a recorded entry's data answered: its trigger, and any folded
 * into it (`coalesced`). Reads any recorded data (it may predate the field, or
 * have none): what is not a delivery id is left out.
 *
 * @example answeredDeliveries(entry.data) // ['d-3', 'd-1', 'd-2']
 */
export function answeredDeliveries(data: unknown): string[] {
  const record = data as { trigger?: { deliveryId?: unknown } | null; coalesced?: unknown } | null;
  const folded = Array.isArray(record?.coalesced) ? (record.coalesced as Array<{ deliveryId?: unknown } | null>) : [];
  return [record?.trigger, ...folded].map((t) => t?.deliveryId).filter((id): id is string => typeof id === 'string');
}

/** `change`: the final evaluation at merge — the change record the population is built from. */
export interface ChangeRecord extends EvaluationRecord {
  mergedAt: IsoTime;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** True when the change was merged without passing the control (an exception was opened). */
  exception: boolean;
}

export type ExceptionType =
  /** Merged while non-compliant, pending or not evaluable (e.g. an admin bypass). */
  | 'merged_without_passing_control'
  /** Merged with the emergency label and without review; awaits a retrospective approval. */
  | 'emergency_change'
  /** Commits reached a branch in scope without a merged pull request, or the branch was rewound or rewritten. */
  | 'direct_push';

/** `exception`: a deviation from the control, as an auditor would list it. */
export interface ExceptionRecord {
  type: ExceptionType;
  /** The entry subject it is about: `pull/42` or `push/<sha>`. */
  subject: string;
  /** What happened, in words, with logins, SHAs and times. */
  reason: string;
  /** The verdict at merge, for merged changes. */
  outcome: Outcome | null;
  /** When it happened on GitHub (merged_at, or the push's `pushed_at`). */
  occurredAt: IsoTime;
  /** For emergency changes: when the retrospective approval is due. */
  deadline: IsoTime | null;
  url: string | null;
  /** Who merged or pushed. */
  actor: string | null;
  trigger: Trigger;
}

/** `exception_resolved`: a retrospective approval closed an emergency exception. */
export interface ExceptionResolvedRecord {
  subject: string;
  /** Seq and hash of the `exception` entry it resolves. */
  exceptionSeq: number;
  exceptionHash: string;
  resolution: 'resolved' | 'resolved_late';
  approval: { login: string; submittedAt: IsoTime | null; commitSha: string | null; url: string | null };
  deadline: IsoTime;
  explanation: string;
  trigger: Trigger;
}

/**
 * `exception_response`: management's response to an exception, recorded by a
 * person with admin or maintain permission who neither contributed to the
 * change nor caused the exception. The exception stays an exception; the
 * response is shown beside it.
 */
export interface ExceptionResponseRecord {
  /** The entry subject it is about: `pull/42` or `push/<sha>`. */
  subject: string;
  /** The `exception` entries it answers (every exception of the subject recorded before it). */
  exceptions: Array<{ seq: number; hash: string; type: ExceptionType }>;
  /** Who responded, as GitHub authenticated them (the comment's author, or the owner of the GitHub token given to the API). */
  responder: string;
  /** Their permission on the repository when the response was recorded, as GitHub reported it (`role_name`, and the legacy `permission`). */
  permission: { roleName: string; permission: string | null; checkedAt: IsoTime };
  /** When the response was given (the comment's creation time, or when the API received it). */
  respondedAt: IsoTime;
  /** The response, exactly as written (the comment's text at creation; later edits are not recorded). */
  text: string;
  /** How it arrived: a pull-request comment, or the API with the signing token (by fingerprint). */
  source:
    | { via: 'comment'; commentId: number; url: string | null }
    | { via: 'api'; tokenFingerprint: string };
  /** Who the separation check excluded: the change's contributors and the exception's actor(s). */
  excluded: string[];
  trigger: Trigger;
}

/**
 * `head_push`: a push to a branch as a delivery reported it — who pushed, from
 * which head to which. Recorded as the delivery arrives (subject `pull/<n>`
 * for `pull_request` opened / reopened / synchronize, `branch/<name>` for a
 * `push`), so every later evaluation of a pull request on that branch knows
 * who pushed to it, whatever the commits claim.
 */
export interface HeadPushRecord {
  source: 'opened' | 'reopened' | 'synchronize' | 'push';
  /** The branch pushed to (the pull request's head ref), without `refs/heads/`. */
  ref: string;
  /** The repository of that branch (`owner/name`). */
  headRepository: string | null;
  /** The pull request, for `pull_request` deliveries. */
  pull: number | null;
  before: string | null;
  after: string | null;
  forced: boolean | null;
  /** The delivery's sender: who pushed (or opened / reopened). */
  pusher: string | null;
  /** The sender's account id, which a rename does not change (absent in records made before it was kept). */
  pusherId?: number | null;
  /** GitHub's time of the push (`repository.pushed_at`), else when the delivery arrived (`timeSource`). */
  pushedAt: IsoTime;
  timeSource: 'github' | 'received';
  /** The commits a `push` payload lists (GitHub lists up to 2,048); empty for `pull_request` deliveries. */
  commits: string[];
  trigger: Trigger;
}

/** `policy`: the effective policy of a repository changed (its files or blob SHAs); recorded when first used. */
export interface PolicyChangeRecord {
  /** The files the policy is built from, base first (none: the defaults). */
  files: PolicySourceFile[];
  valid: boolean;
  /** The fully defaulted settings when valid. */
  settings: Policy | null;
  /** What is wrong when not valid. */
  problems: PolicyProblem[] | null;
  /** The `policy` entry it replaces; null for the repository's first. */
  previous: { seq: number; hash: string } | null;
  /** What first used it (the entry recorded beside it). */
  firstUsedBy: { subject: string; trigger: Trigger };
}

/** One commit of a push and the merged pull request that introduced it, if any. */
export interface PushedCommit {
  sha: string;
  author: string | null;
  /** The committer's login (else e-mail); absent in records made before it was kept, and for GitHub's own `web-flow`. */
  committer?: string | null;
  headline: string | null;
  /**
   * The merged pull request whose merge commit contains this commit (it is the
   * merge commit, a commit of its merged branch, or one of the commits its
   * squash or rebase placed on the branch) and is the push's `after` or an
   * ancestor of it; null when none does.
   */
  introducedBy: { number: number; url: string | null; mergedAt: IsoTime | null; mergeCommitSha?: string | null } | null;
  /**
   * Why a commit GitHub names as a pull request's merge commit does not count
   * for it (e.g. a merge in GitHub's name, unsigned, with content of its own).
   * Absent when there is nothing to add to `introducedBy`.
   */
  note?: string;
}

/** `push`: a push to a branch in scope, with every commit it brought and how each was reviewed. */
export interface PushRecord {
  ref: string;
  before: string;
  after: string;
  forced: boolean;
  created: boolean;
  deleted: boolean;
  pusher: { name: string | null; email: string | null };
  sender: string | null;
  /** The sender's account id, which a rename does not change (absent in records made before it was kept). */
  senderId?: number | null;
  /** When the app received the push. */
  receivedAt: IsoTime;
  /**
   * When GitHub says the push happened (`repository.pushed_at` of the push
   * payload); the push's time everywhere. Absent in records written before it
   * was kept (then `receivedAt` stands in).
   */
  pushedAt?: IsoTime;
  commits: PushedCommit[];
  /** Commits no merged pull request introduced. */
  unreviewed: string[];
  /**
   * The branch was rewound or rewritten (a forced push, or `after` does not
   * descend from `before`): the commits it no longer contains, oldest first.
   * Absent in older records.
   */
  removed?: string[];
  /** How GitHub compared `before` with `after`: `ahead` for a fast-forward. Absent in older records. */
  comparison?: 'ahead' | 'behind' | 'diverged' | 'identical' | null;
  /** Set when the commits could not all be listed or associated; the push is then an exception. */
  gap: string | null;
  trigger: Trigger;
}

/** `installation`: the app was installed, removed, or its repositories changed. */
export interface InstallationRecord {
  action: string;
  installationId: number;
  account: string | null;
  repositoriesAdded: string[];
  repositoriesRemoved: string[];
  trigger: Trigger;
}

/** `config_error`: a policy file on a default branch that cannot be used. */
export interface ConfigErrorRecord {
  problems: PolicyProblem[];
  files: PolicySourceFile[];
  trigger: Trigger;
}

/** `deployment_decision`: the gate's answer to a deployment protection request, with its evidence. */
export interface DeploymentDecisionRecord {
  /** The facts judged: environment, SHA, deployer, the range and each commit's change record. */
  facts: DeploymentFacts;
  decision: DeploymentDecision;
  /** The policy applied (`null` when it could not be read: the request is then rejected). */
  policy: PolicyRecord | null;
  /** The run whose deployment waits for the answer. */
  runId: number | null;
  callbackUrl: string;
  trigger: Trigger;
}

/** `deployment`: a deployment and each of its status changes, linked to the gate's decision and the changes it carries. */
export interface DeploymentRecord {
  deploymentId: number;
  environment: string;
  sha: string;
  ref: string | null;
  creator: string | null;
  createdAt: IsoTime | null;
  /** The status reported (`success`, `failure`, `in_progress`, …); `null` for the deployment's creation. */
  state: string | null;
  /** When that status was reported (or the deployment created). */
  at: IsoTime | null;
  /** Whether the policy gates the environment (so the deployment belongs to the population). */
  gated: boolean;
  /** The gate's decision for this deployment, if it asked Changeproof. */
  decision: { seq: number; hash: string; state: 'approved' | 'rejected'; decidedAt: IsoTime } | null;
  /** The changes (`pull/<n>`) the deployment carries, from the decision. */
  changes: string[];
  trigger: Trigger;
}

/** How a member of a merge group stands: its own check's conclusion, as the group counts it. */
export type MergeGroupStanding =
  /** Compliant: its own check is a success. */
  | 'passes'
  /** An emergency change (unreviewed, labelled): its own check is neutral, and so is the group's. */
  | 'emergency'
  /** Not enforced (every contributor an ignored author): its own check is neutral, and so is the group's. */
  | 'not_enforced'
  /** Not compliant, still pending, or not evaluable: the group fails. */
  | 'fails';

/** One pull request of a merge group, judged when the group's checks were requested. */
export interface MergeGroupMember {
  number: number;
  url: string;
  /** Its position in the merge queue (1 = next to merge); `null` when the group's branch name named it. */
  position: number | null;
  /** Who added it to the queue, when the queue said. */
  enqueuer: string | null;
  enqueuedAt: IsoTime | null;
  /** The head commit judged (the pull request's head when it was read). */
  headSha: string;
  outcome: Outcome;
  enforced: boolean;
  standing: MergeGroupStanding;
  /** Its own check run's title: the unmet rules in the same words ("Not compliant: changes requested by @carol"). */
  headline: string;
  /** The rules it does not meet (fail or pending), each as its own check run words it. */
  failing: Array<{ rule: string; name: string; status: 'fail' | 'pending'; short: string; toPass: string | null }>;
  /** The full evaluation: its verdict and the evidence, to re-compute it offline. */
  verdict: Verdict;
  /** `null` when GitHub could not give the pull request (the verdict is then `error`). */
  facts: ChangeFacts | null;
}

/**
 * `merge_group` (subject `merge_group/<head sha>`): a merge queue asked for
 * the checks of a merge group; every pull request in it was judged as its own
 * check judges it, at that moment, and the group's check run shows the result.
 */
export interface MergeGroupRecord {
  trigger: Trigger;
  /** The branch the group merges into (`main`), and the group's branch (`gh-readonly-queue/main/pr-7-<sha>`), without `refs/heads/`. */
  baseRef: string;
  headRef: string;
  /** The group's parent commit, as the delivery gave it; `null` when not known (a re-run of a group the app had not recorded). */
  baseSha: string | null;
  /** The commit the group's check run is on: what the queue would merge. */
  headSha: string;
  /** When the group was judged. */
  evaluatedAt: IsoTime;
  /** How the group's pull requests were established. */
  membership: {
    /** `merge_queue`: the queue's entries up to this group's; `head_ref`: the pull request its branch names, alone in the group's commits; `null`: not established. */
    source: 'merge_queue' | 'head_ref' | null;
    /** In words: which entries, or why not. */
    detail: string;
    /** The queue's merge method, when the queue was read (`MERGE`, `SQUASH`, `REBASE`). */
    mergeMethod: string | null;
  };
  pullRequests: MergeGroupMember[];
  /** `success` only when every pull request is compliant; `neutral` when the weakest is an emergency or not enforced; otherwise `failure`. */
  conclusion: 'success' | 'neutral' | 'failure';
  /** Why it is not a success, in words; `null` for a success. */
  reason: string | null;
  /** The policy applied (from the default branch); `null` when none could be read. */
  policy: PolicyRecord | null;
}
