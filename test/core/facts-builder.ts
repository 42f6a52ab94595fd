import { createHash } from 'node:crypto';
import type { PolicyInput } from '../../src/config/policy.schema.js';
import { resolvePolicy } from '../../src/config/parse-policy.js';
import type { Policy } from '../../src/config/policy.schema.js';
import type { Actor, ChangeFacts, CheckConclusion, CheckFacts, CheckStatus, CommitFacts, CommitPerson, CommitSignature, PushFact, ReviewFacts, ReviewState } from '../../src/core/facts.js';

/** A deterministic full 40-character SHA for a label. */
export const sha = (label: string): string => createHash('sha1').update(label).digest('hex');

export const HEAD = sha('head');
export const OLD = sha('old');
export const NOW = new Date('2026-03-10T12:00:00Z');

export const user = (login: string): Actor => ({ login, type: login.endsWith('[bot]') ? 'Bot' : 'User' });

export function person(login: string | null, email = login ? `${login}@example.com` : 'someone@example.com'): CommitPerson {
  return { name: login ?? 'Someone', email, user: login ? user(login) : null };
}

export const WEB_FLOW: CommitPerson = { name: 'GitHub', email: 'noreply@github.com', user: { login: 'web-flow', type: 'User' } };

/** GitHub's own signature, as on web edits, merges and squashes made on github.com. */
export const SIGNED_BY_GITHUB: CommitSignature = { isValid: true, state: 'VALID', wasSignedByGitHub: true, signer: null };

/** A signature GitHub verified for `login`'s key. */
export const signedBy = (login: string): CommitSignature => ({ isValid: true, state: 'VALID', wasSignedByGitHub: false, signer: login });

export function commit(
  label: string,
  opts: { author?: CommitPerson; coAuthors?: CommitPerson[]; committer?: CommitPerson; parents?: string[]; signature?: CommitSignature | null } = {},
): CommitFacts {
  const author = opts.author ?? person('alice');
  return {
    sha: label === 'head' ? HEAD : sha(label),
    headline: `Commit ${label}`,
    authoredAt: '2026-03-09T09:00:00Z',
    committedAt: '2026-03-09T09:00:00Z',
    authors: [author, ...(opts.coAuthors ?? [])],
    committer: opts.committer ?? author,
    url: null,
    parents: opts.parents ?? [],
    signature: opts.signature ?? null,
  };
}

/** A push to the head branch, as a delivery or the timeline reported it. */
export function push(pusher: string | null, after: string, opts: { source?: PushFact['source']; before?: string | null; at?: string; forced?: boolean } = {}): PushFact {
  const source = opts.source ?? 'synchronize';
  return {
    source,
    pusher,
    before: opts.before ?? null,
    after,
    at: opts.at ?? '2026-03-09T09:30:00Z',
    forced: opts.forced ?? (source === 'force_push' ? true : source === 'opened' || source === 'reopened' ? null : false),
    deliveryId: source === 'force_push' ? null : `delivery-${after.slice(0, 7)}`,
    seq: null,
  };
}

let reviewCounter = 0;
export function review(
  login: string,
  state: ReviewState,
  opts: { on?: string; at?: string; canPush?: boolean; type?: Actor['type'] } = {},
): ReviewFacts {
  return {
    id: `R_${++reviewCounter}`,
    author: { login, type: opts.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') },
    state,
    submittedAt: opts.at ?? '2026-03-10T10:00:00Z',
    commitSha: opts.on ?? HEAD,
    authorCanPushToRepository: opts.canPush ?? true,
    url: `https://github.com/acme/api/pull/42#pullrequestreview-${reviewCounter}`,
  };
}

export function check(
  name: string,
  result: CheckConclusion | Exclude<CheckStatus, 'completed'>,
  opts: { id?: number; at?: string; source?: CheckFacts['source']; reporter?: string | null } = {},
): CheckFacts {
  const completed = !['queued', 'in_progress', 'waiting', 'requested', 'pending'].includes(result);
  const source = opts.source ?? 'check_run';
  return {
    source,
    name,
    status: completed ? 'completed' : (result as CheckStatus),
    conclusion: completed ? (result as CheckConclusion) : null,
    databaseId: source === 'check_run' ? (opts.id ?? 1000) : null,
    at: opts.at ?? '2026-03-10T09:30:00Z',
    reporter: opts.reporter !== undefined ? opts.reporter : source === 'check_run' ? 'github-actions' : 'ci-bot',
    url: null,
  };
}

/** A compliant pull request under the default policy: alice's commit, bob's approval on the head, `ci` passing. */
export function pullRequest(overrides: Partial<ChangeFacts> = {}): ChangeFacts {
  return {
    repository: { owner: 'acme', name: 'api', defaultBranch: 'main' },
    number: 42,
    url: 'https://github.com/acme/api/pull/42',
    title: 'Add rate limiting',
    body: 'Limits requests per token.',
    author: user('alice'),
    state: 'open',
    draft: false,
    baseRef: 'main',
    headRef: 'alice/rate-limit',
    headRepository: 'acme/api',
    baseSha: sha('base'),
    headSha: HEAD,
    labels: [],
    createdAt: '2026-03-09T08:00:00Z',
    merge: null,
    commits: [commit('head')],
    reviews: [review('bob', 'APPROVED')],
    checks: [check('ci', 'success')],
    pushes: [],
    collectedAt: '2026-03-10T12:00:00Z',
    gaps: [],
    ...overrides,
  };
}

export function merged(facts: ChangeFacts, opts: { by?: string; at?: string } = {}): ChangeFacts {
  return {
    ...facts,
    state: 'merged',
    merge: { mergedAt: opts.at ?? '2026-03-10T11:00:00Z', mergedBy: user(opts.by ?? 'carol'), mergeCommitSha: sha('merge') },
  };
}

/** The default policy with some keys changed, validated exactly as a file would be. */
export function policy(settings: PolicyInput = {}): Policy {
  const r = resolvePolicy([{ file: 'test', settings: settings as Record<string, unknown>, extends: null }]);
  if (!r.ok) throw r.error;
  return r.policy;
}
