import type { ChangeFacts, PushFact } from '../../core/facts.js';
import type { HeadPushRecord } from '../../core/records.js';
import type { EntryInput, Ledger } from '../../ledger/index.js';
import type { JobContext, Payload } from './job.js';

const ZERO_SHA = /^0{40}$/;
const PR_PUSH_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);

/**
 * The push a delivery reports, if it reports one: the sender of a
 * `pull_request` opened / reopened / synchronize (subject `pull/<n>`), or of
 * a `push` to a branch (subject `branch/<name>`). Deleting a branch pushes
 * nothing.
 *
 * @example headPushOf(ctx) // { subject: 'pull/7', record: { source: 'synchronize', pusher: 'bob', … } }
 */
export function headPushOf(ctx: Pick<JobContext, 'event' | 'payload' | 'trigger' | 'receivedAt'>): { repo: string; subject: string; record: HeadPushRecord } | null {
  const p = ctx.payload;
  const repo = fullName(p);
  if (!repo) return null;
  const pusher = typeof p['sender']?.['login'] === 'string' ? (p['sender']['login'] as string) : null;
  const pusherId = Number.isSafeInteger(p['sender']?.['id']) ? (p['sender']['id'] as number) : null;
  if (ctx.event === 'pull_request' && PR_PUSH_ACTIONS.has(p['action'])) {
    const pr = p['pull_request'] as Payload;
    const time = pushTime(p['repository']?.['pushed_at'], ctx.receivedAt);
    const synchronize = p['action'] === 'synchronize';
    return {
      repo,
      subject: `pull/${pr['number']}`,
      record: {
        source: p['action'],
        ref: String(pr['head']?.['ref'] ?? ''),
        headRepository: pr['head']?.['repo']?.['full_name'] ?? null,
        pull: Number(pr['number']),
        before: synchronize && typeof p['before'] === 'string' ? p['before'] : null,
        after: (synchronize && typeof p['after'] === 'string' ? p['after'] : pr['head']?.['sha']) ?? null,
        forced: null,
        pusher,
        pusherId,
        // A synchronize is a push (the repository's `pushed_at`); opening or reopening happened at the pull request's own time.
        ...(synchronize ? time : pushTime(p['action'] === 'opened' ? pr['created_at'] : pr['updated_at'], ctx.receivedAt)),
        commits: [],
        trigger: ctx.trigger,
      },
    };
  }
  if (ctx.event === 'push' && typeof p['ref'] === 'string' && p['ref'].startsWith('refs/heads/') && !p['deleted']) {
    const ref = p['ref'].slice('refs/heads/'.length);
    const commits = Array.isArray(p['commits']) ? (p['commits'] as Payload[]).map((c) => c?.['id']).filter((id): id is string => typeof id === 'string') : [];
    return {
      repo,
      subject: `branch/${ref}`,
      record: {
        source: 'push',
        ref,
        headRepository: repo,
        pull: null,
        before: typeof p['before'] === 'string' && !ZERO_SHA.test(p['before']) ? p['before'] : null,
        after: typeof p['after'] === 'string' ? p['after'] : null,
        forced: typeof p['forced'] === 'boolean' ? p['forced'] : null,
        pusher,
        pusherId,
        ...pushTime(p['repository']?.['pushed_at'], ctx.receivedAt),
        commits,
        trigger: ctx.trigger,
      },
    };
  }
  return null;
}

/**
 * The `head_push` entry for the push this delivery reports, or nothing when it
 * reports none or the same push (branch, before, after, pusher, GitHub's time)
 * is already recorded — a replayed payload adds nothing, whatever its delivery id.
 */
export async function headPushEntries(ctx: JobContext): Promise<EntryInput[]> {
  const push = headPushOf(ctx);
  if (!push) return [];
  for await (const entry of ctx.services.ledger.read({ repo: push.repo, subject: push.subject, kinds: ['head_push'] })) {
    if (samePush(entry.data as unknown as HeadPushRecord, push.record)) return [];
  }
  return [{ kind: 'head_push', repo: push.repo, subject: push.subject, data: push.record }];
}

/**
 * `facts` with every push to its head branch the app knows of: GitHub's
 * timeline force pushes (already in the facts), the pushes recorded as
 * deliveries arrived — for the pull request itself, and for its head branch
 * when it lives in the same repository, while it backed the pull request —
 * and the one this very delivery reports, not yet recorded.
 */
export async function withRecordedPushes(ctx: JobContext, facts: ChangeFacts): Promise<ChangeFacts> {
  const repo = `${facts.repository.owner}/${facts.repository.name}`;
  const recorded = await readRecordedPushes(ctx.services.ledger, repo, facts);
  const current = headPushOf(ctx);
  const own = current && current.repo === repo && backsPullRequest(current.subject, current.record, facts) ? [toPushFact(current.record, null)] : [];
  const all = [...facts.pushes, ...recorded, ...own];
  const seen = new Set<string>();
  const pushes = all
    .filter((p) => {
      const key = `${p.source}\u0000${p.pusher ?? ''}\u0000${p.before ?? ''}\u0000${p.after ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((p, i) => ({ p, i, t: p.at ? Date.parse(p.at) : Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ p }) => p);
  return { ...facts, pushes };
}

async function readRecordedPushes(ledger: Ledger, repo: string, facts: ChangeFacts): Promise<PushFact[]> {
  const out: PushFact[] = [];
  const subjects = [`pull/${facts.number}`];
  if (facts.headRepository && facts.headRepository.toLowerCase() === repo.toLowerCase()) subjects.push(`branch/${facts.headRef}`);
  for (const subject of subjects) {
    for await (const entry of ledger.read({ repo, subject, kinds: ['head_push'] })) {
      const record = entry.data as unknown as HeadPushRecord;
      if (backsPullRequest(subject, record, facts)) out.push(toPushFact(record, entry.seq));
    }
  }
  return out;
}

/**
 * Whether a recorded push counts for the pull request: any push reported for
 * it, and a push to its head branch that brought one of its commits or came
 * while it was open (a branch name can be used again by a later pull request).
 */
function backsPullRequest(subject: string, record: HeadPushRecord, facts: ChangeFacts): boolean {
  if (subject.startsWith('pull/')) return subject === `pull/${facts.number}`;
  if (record.ref !== facts.headRef) return false;
  const at = Date.parse(record.pushedAt);
  if (facts.merge && at > Date.parse(facts.merge.mergedAt)) return false;
  const shas = new Set(facts.commits.map((c) => c.sha));
  return at >= Date.parse(facts.createdAt) || (record.after !== null && shas.has(record.after)) || record.commits.some((sha) => shas.has(sha));
}

function toPushFact(record: HeadPushRecord, seq: number | null): PushFact {
  return {
    source: record.source,
    pusher: record.pusher,
    ...(record.pusherId ? { pusherId: record.pusherId } : {}),
    before: record.before,
    after: record.after,
    at: record.pushedAt,
    forced: record.forced,
    deliveryId: record.trigger.deliveryId,
    seq,
  };
}

/**
 * One push, whatever delivery reports it: same source, branch, before, after and
 * pusher — and, where GitHub timed both, the same time: the same commits pushed
 * again later (after a rewind) are another push, while a replayed payload
 * carries the very time it was first sent with.
 */
function samePush(a: HeadPushRecord, b: HeadPushRecord): boolean {
  const sameTime = a.timeSource !== 'github' || b.timeSource !== 'github' || a.pushedAt === b.pushedAt;
  return a.source === b.source && a.ref === b.ref && a.before === b.before && a.after === b.after && (a.pusher ?? '').toLowerCase() === (b.pusher ?? '').toLowerCase() && sameTime;
}

function fullName(p: Payload): string | null {
  const name = p['repository']?.['full_name'];
  if (typeof name === 'string') return name;
  const owner = p['repository']?.['owner']?.['login'] ?? p['repository']?.['owner']?.['name'];
  return typeof owner === 'string' && typeof p['repository']?.['name'] === 'string' ? `${owner}/${p['repository']['name']}` : null;
}

/**
 * GitHub's push time: `repository.pushed_at`, Unix seconds in a `push`
 * payload and ISO-8601 in other events; when absent or unreadable, when the
 * delivery arrived (and it says so).
 */
export function pushTime(value: unknown, receivedAt: Date): { pushedAt: string; timeSource: 'github' | 'received' } {
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(ms) && ms > 0) return { pushedAt: new Date(ms).toISOString().replace('.000Z', 'Z'), timeSource: 'github' };
  return { pushedAt: receivedAt.toISOString(), timeSource: 'received' };
}
