import type { Actor, BaseChange, CheckConclusion, CheckFacts, CheckStatus, CommitFacts, CommitPerson, IsoTime, LabelEvent, PushFact, ReviewFacts, ReviewState } from '../core/facts.js';
import { GitHubEvidenceError } from './errors.js';
import type { GqlActor, GqlCheckRun, GqlCommit, GqlGitActor, GqlReview, GqlStatusContext, GqlTimelineItem } from './graphql/pull-request.types.js';

/**
 * Maps GitHub's GraphQL nodes to the facts' plain shapes. Pure functions; every
 * oddity of GitHub's data that matters to a control is decided here, once.
 */

/** A timestamp as ISO-8601 UTC without milliseconds when they are zero (`2026-03-04T10:15:00Z`). */
export function toIsoUtc(value: string): IsoTime {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new GitHubEvidenceError('invalid_response', `GitHub sent an unreadable timestamp "${value}"`);
  }
  return time.toISOString().replace('.000Z', 'Z');
}

function toIsoUtcOrNull(value: string | null | undefined): IsoTime | null {
  return value ? toIsoUtc(value) : null;
}

const ACTOR_TYPES = new Set<Actor['type']>(['User', 'Bot', 'Organization', 'Mannequin']);

/**
 * An `Actor` union member as the facts' {@link Actor}. GraphQL reports a
 * GitHub App's login without the `[bot]` suffix (`dependabot`), REST and
 * webhooks with it (`dependabot[bot]`); policies and the ledger use the REST
 * form, so it is restored here.
 */
export function mapActor(actor: GqlActor | null | undefined): Actor | null {
  if (!actor) return null;
  const type = ACTOR_TYPES.has(actor.__typename as Actor['type']) ? (actor.__typename as Actor['type']) : 'Unknown';
  const login = type === 'Bot' && !actor.login.endsWith('[bot]') ? `${actor.login}[bot]` : actor.login;
  return typeof actor.databaseId === 'number' ? { login, type, id: actor.databaseId } : { login, type };
}

// GitHub's noreply address of a GitHub App's bot account: `<id>+<slug>[bot]@users.noreply.github.com`
// (GHES: `@users.noreply.<host>`). GraphQL's `GitActor.user` is typed `User`, so it is
// null for bots even though GitHub attributes the commit to the bot (REST `author.type: Bot`).
const BOT_NOREPLY = /^\d+\+([A-Za-z0-9][A-Za-z0-9-]*\[bot\])@users\.noreply\./i;

/** A commit author, committer or co-author; `user` is null when GitHub links the email to no account. */
export function mapGitActor(actor: GqlGitActor | null | undefined): CommitPerson {
  if (!actor) return { name: null, email: null, user: null };
  const bot = actor.user ? null : actor.email?.match(BOT_NOREPLY);
  const user: Actor | null = actor.user
    ? typeof actor.user.databaseId === 'number' ? { login: actor.user.login, type: 'User', id: actor.user.databaseId } : { login: actor.user.login, type: 'User' }
    : bot
      ? { login: bot[1]!, type: 'Bot' }
      : null;
  return { name: actor.name, email: actor.email, user };
}

/** A commit; `authors` must already hold every author (paged by the caller). */
export function mapCommit(commit: GqlCommit, authors: GqlGitActor[]): CommitFacts {
  return {
    sha: commit.oid,
    headline: commit.messageHeadline,
    authoredAt: toIsoUtcOrNull(commit.authoredDate),
    committedAt: toIsoUtcOrNull(commit.committedDate),
    authors: authors.map(mapGitActor),
    committer: mapGitActor(commit.committer),
    url: commit.url ?? null,
    parents: (commit.parents?.nodes ?? []).flatMap((p) => (p ? [p.oid] : [])),
    signature: commit.signature
      ? { isValid: commit.signature.isValid, state: commit.signature.state, wasSignedByGitHub: commit.signature.wasSignedByGitHub, signer: commit.signature.signer?.login ?? null }
      : null,
  };
}

/** A head-ref force push from the pull request's timeline, as a push fact (GitHub's own record; no delivery). */
export function mapForcePush(event: GqlTimelineItem): PushFact {
  return {
    source: 'force_push',
    pusher: mapActor(event.actor)?.login ?? null,
    before: event.beforeCommit?.oid ?? null,
    after: event.afterCommit?.oid ?? null,
    at: toIsoUtcOrNull(event.createdAt),
    forced: true,
    deliveryId: null,
    seq: null,
  };
}

/** A base-branch change from the timeline. */
export function mapBaseChange(event: GqlTimelineItem): BaseChange {
  return { from: event.previousRefName ?? '', to: event.currentRefName ?? '', actor: mapActor(event.actor)?.login ?? null, at: toIsoUtc(event.createdAt ?? '') };
}

/** A label added or removed, from the timeline. */
export function mapLabelEvent(event: GqlTimelineItem): LabelEvent {
  return { action: event.__typename === 'UnlabeledEvent' ? 'unlabeled' : 'labeled', label: event.label?.name ?? '', actor: mapActor(event.actor)?.login ?? null, at: toIsoUtc(event.createdAt ?? '') };
}

const REVIEW_STATES = new Set<ReviewState>(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);

export function mapReview(review: GqlReview): ReviewFacts {
  if (!REVIEW_STATES.has(review.state as ReviewState)) {
    throw new GitHubEvidenceError('invalid_response', `GitHub sent an unknown review state "${review.state}" for review ${review.id}`);
  }
  return {
    id: review.id,
    author: mapActor(review.author),
    state: review.state as ReviewState,
    submittedAt: toIsoUtcOrNull(review.submittedAt),
    commitSha: review.commit?.oid ?? null,
    authorCanPushToRepository: review.authorCanPushToRepository,
    url: review.url ?? null,
  };
}

const CHECK_STATUSES = new Set<CheckStatus>(['queued', 'in_progress', 'waiting', 'requested', 'pending', 'completed']);
const CHECK_CONCLUSIONS = new Set<CheckConclusion>([
  'success', 'neutral', 'skipped', 'failure', 'cancelled', 'timed_out', 'action_required', 'stale', 'startup_failure', 'error',
]);

/** A check run (`CheckStatusState` / `CheckConclusionState` lower-cased, e.g. `STARTUP_FAILURE` → `startup_failure`). */
export function mapCheckRun(run: GqlCheckRun, appSlug: string | null): CheckFacts {
  const status = run.status.toLowerCase() as CheckStatus;
  const conclusion = run.conclusion ? (run.conclusion.toLowerCase() as CheckConclusion) : null;
  if (!CHECK_STATUSES.has(status) || (conclusion !== null && !CHECK_CONCLUSIONS.has(conclusion))) {
    throw new GitHubEvidenceError(
      'invalid_response',
      `GitHub sent an unknown check state ${run.status}/${run.conclusion} for check run "${run.name}"`,
    );
  }
  return {
    source: 'check_run',
    name: run.name,
    status,
    conclusion: status === 'completed' ? conclusion : null,
    databaseId: run.databaseId,
    at: toIsoUtcOrNull(run.completedAt ?? run.startedAt),
    reporter: appSlug,
    url: run.detailsUrl ?? run.url ?? null,
  };
}

/**
 * A commit status context. `PENDING` and `EXPECTED` (a required context not yet
 * reported) are `pending`; `SUCCESS`, `FAILURE` and `ERROR` are final.
 */
export function mapStatusContext(status: GqlStatusContext): CheckFacts {
  const final: Record<string, CheckConclusion> = { SUCCESS: 'success', FAILURE: 'failure', ERROR: 'error' };
  const conclusion = final[status.state] ?? null;
  if (conclusion === null && status.state !== 'PENDING' && status.state !== 'EXPECTED') {
    throw new GitHubEvidenceError('invalid_response', `GitHub sent an unknown status state "${status.state}" for context "${status.context}"`);
  }
  return {
    source: 'status',
    name: status.context,
    status: conclusion ? 'completed' : 'pending',
    conclusion,
    databaseId: null,
    at: toIsoUtcOrNull(status.createdAt),
    reporter: mapActor(status.creator)?.login ?? null,
    url: status.targetUrl ?? null,
  };
}
