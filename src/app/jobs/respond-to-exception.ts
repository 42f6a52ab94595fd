import type { ChangeFacts } from '../../core/facts.js';
import { judgeResponder, parseRespondCommand, recordedReply, refusedReply, type RefusalKind } from '../../core/exception-response.js';
import { analyseContributors } from '../../core/policy/contributors.js';
import type { SeparationOfDutiesEvidence } from '../../core/policy/verdict.js';
import type { ChangeRecord, ExceptionRecord, ExceptionResponseRecord, PushRecord, Trigger } from '../../core/records.js';
import { readCollaboratorRole } from '../../github/collaborator-role.js';
import { collectPullRequest } from '../../github/collect-pull-request.js';
import { commentOnPullRequest } from '../../github/comment-on-pull-request.js';
import { readCommitAuthors } from '../../github/read-commit-authors.js';
import { GitHubEvidenceError } from '../../github/errors.js';
import type { GitHubClient } from '../../github/octokit.js';
import type { EntryInput, Ledger, LedgerEntry } from '../../ledger/index.js';
import { withRecordedPushes } from './head-pushes.js';
import { NOTHING, RetryLater, type JobContext, type JobResult } from './job.js';

/**
 * `/changeproof respond <text>` in a pull request's conversation
 * (`issue_comment` created): management's response to the exceptions of a
 * merged change, recorded as an `exception_response` entry when
 *
 * 1. the comment is the command, written by a person (not a bot);
 * 2. the ledger holds an exception for the pull request;
 * 3. GitHub reports the commenter's role on the repository as admin or maintain
 *    (`role_name`; nothing the comment or its payload claims is believed);
 * 4. the commenter neither contributed to the change nor caused the exception.
 *
 * The app replies either way: "recorded" with the entry's number, or "not
 * recorded" and why. Only `created` comments count: an edit later changes
 * nothing recorded (the entry keeps the text as it was written).
 */
export async function respondToComment(ctx: JobContext): Promise<JobResult> {
  const { payload } = ctx;
  const command = payload['action'] === 'created' && payload['issue']?.['pull_request'] ? parseRespondCommand(payload['comment']?.['body']) : null;
  const author = payload['comment']?.['user'];
  if (!command || typeof author?.['login'] !== 'string' || author['type'] === 'Bot' || author['login'].endsWith('[bot]')) return NOTHING;
  const owner = String(payload['repository']['owner']['login']);
  const name = String(payload['repository']['name']);
  const number = Number(payload['issue']['number']);
  const target = { owner, repo: name, number };
  const reply = (body: string) => commentOnPullRequest(ctx.octokit, target, body);

  const request: ResponseRequest = {
    repo: `${owner}/${name}`,
    subject: `pull/${number}`,
    responder: author['login'],
    responderId: Number.isSafeInteger(author['id']) ? (author['id'] as number) : null,
    text: command.text,
    respondedAt: typeof payload['comment']['created_at'] === 'string' ? payload['comment']['created_at'] : ctx.receivedAt.toISOString(),
    source: { via: 'comment', commentId: Number(payload['comment']['id']), url: typeof payload['comment']['html_url'] === 'string' ? payload['comment']['html_url'] : null },
    trigger: ctx.trigger,
  };
  // A comment is one response, whatever delivery carries it again (a redelivery, a replay under a new id).
  if (await commentRecorded(ctx.services.ledger, request)) return NOTHING;
  const decided = await decideResponse(request, {
    ledger: ctx.services.ledger,
    octokit: ctx.octokit,
    clock: ctx.services.clock,
    factsOfChange: (record) => factsOfChange(ctx, record, target),
  }).catch((error: unknown) => {
    if (error instanceof GitHubEvidenceError && error.retryable && !ctx.finalAttempt) throw new RetryLater(error.message);
    if (error instanceof GitHubEvidenceError) return { ok: false as const, kind: 'unavailable' as const, reason: `GitHub could not be asked (${error.message}); try again later.` };
    throw error;
  });
  if (!decided.ok) return { entries: [], act: () => reply(refusedReply(decided.reason)) };
  return {
    entries: [decided.entry],
    act: async (recorded) => {
      const entry = recorded.find((e) => e.kind === 'exception_response');
      if (entry) await reply(recordedReply(request.responder, entry.seq, decided.record.exceptions.length));
    },
  };
}

/** A response to record: who, about what, what they wrote and how it arrived. */
export interface ResponseRequest {
  repo: string;
  /** `pull/42` or `push/<sha>`. */
  subject: string;
  /** The responder as GitHub authenticated them. */
  responder: string;
  /** Their account id, which a rename does not change; null when GitHub gave none. */
  responderId: number | null;
  text: string;
  respondedAt: string;
  source: ExceptionResponseRecord['source'];
  trigger: Trigger;
}

export interface ResponseDeps {
  ledger: Ledger;
  /** A client of the installation on the repository. */
  octokit: GitHubClient;
  clock: () => Date;
  /** The merged change's facts with every push to its head branch the app recorded (its recorded facts, else GitHub's). */
  factsOfChange?: (record: ChangeRecord | null) => Promise<ChangeFacts | null>;
}

export type ResponseDecision = { ok: true; entry: EntryInput; record: ExceptionResponseRecord } | { ok: false; kind: RefusalKind | 'unavailable'; reason: string };

/**
 * Whether a response may be recorded, and its entry: reads the subject's
 * exceptions and record from the ledger, the responder's role from GitHub,
 * and judges (core/exception-response.ts). Shared by the comment command and
 * the API (direct pushes).
 */
export async function decideResponse(request: ResponseRequest, deps: ResponseDeps): Promise<ResponseDecision> {
  const recorded = await readSubject(deps.ledger, request.repo, request.subject);
  const about = request.subject.startsWith('pull/') ? `pull request #${request.subject.slice(5)}` : `the push ${request.subject.slice(5, 12)}`;
  const actors = [...recorded.exceptions.map((e) => (e.data as unknown as ExceptionRecord).actor), recorded.change?.mergedBy ?? null, recorded.push?.sender ?? null];
  // Nothing to answer: refused before GitHub is asked anything.
  if (recorded.exceptions.length === 0) return { ok: false, kind: 'nothing_to_answer', reason: `${about} has no exception recorded, so there is nothing to respond to.` };
  // Who shaped a push whose commits could not all be listed cannot be told: nobody can be shown independent of it.
  if (recorded.push?.gap) {
    return { ok: false, kind: 'not_independent', reason: `who wrote ${about} cannot be established (its commits could not all be read when it was recorded: ${recorded.push.gap}), so nobody can be shown independent of it.` };
  }
  const [owner, name] = request.repo.split('/') as [string, string];
  const role = await readCollaboratorRole(deps.octokit, { owner, repo: name, username: request.responder });
  const facts = request.subject.startsWith('pull/') ? await (deps.factsOfChange ?? (async (r) => r?.facts ?? null))(recorded.change) : null;
  const contributors = request.subject.startsWith('pull/')
    ? contributorsRecorded(recorded.change, facts)
    : [...pushContributors(recorded.push), ...(recorded.push ? await readCommitAuthors(deps.octokit, { owner, repo: name }, recorded.push.commits.map((c) => c.sha)) : [])];
  const judged = judgeResponder({
    responder: request.responder, responderId: request.responderId, accounts: accountsOf(facts, recorded.push),
    roleName: role.roleName, contributors, actors, text: request.text, exceptions: recorded.exceptions.length, about,
  });
  if (!judged.ok) return judged;
  const excluded = [...new Set([...contributors, ...actors].filter((l): l is string => typeof l === 'string' && l !== ''))].sort();
  const record: ExceptionResponseRecord = {
    subject: request.subject,
    exceptions: recorded.exceptions.map((e) => ({ seq: e.seq, hash: e.hash, type: (e.data as unknown as ExceptionRecord).type })),
    responder: request.responder,
    permission: { roleName: role.roleName ?? 'none', permission: role.permission, checkedAt: deps.clock().toISOString() },
    respondedAt: request.respondedAt,
    text: request.text,
    source: request.source,
    excluded,
    trigger: request.trigger,
  };
  return { ok: true, record, entry: { kind: 'exception_response', repo: request.repo, subject: request.subject, data: record } };
}

async function commentRecorded(ledger: Ledger, request: ResponseRequest): Promise<boolean> {
  if (request.source.via !== 'comment') return false;
  for await (const entry of ledger.read({ repo: request.repo, subject: request.subject, kinds: ['exception_response'] })) {
    const source = (entry.data as unknown as ExceptionResponseRecord).source;
    if (source?.via === 'comment' && source.commentId === request.source.commentId) return true;
  }
  return false;
}

interface RecordedSubject {
  exceptions: LedgerEntry[];
  change: ChangeRecord | null;
  push: PushRecord | null;
}

async function readSubject(ledger: Ledger, repo: string, subject: string): Promise<RecordedSubject> {
  const out: RecordedSubject = { exceptions: [], change: null, push: null };
  for await (const entry of ledger.read({ repo, subject, kinds: ['change', 'exception', 'push'] })) {
    if (entry.kind === 'exception') out.exceptions.push(entry);
    else if (entry.kind === 'change') out.change ??= entry.data as unknown as ChangeRecord;
    else if (entry.kind === 'push') out.push ??= entry.data as unknown as PushRecord;
  }
  return out;
}

/** The contributors the change record names: the analysis of its facts, and its verdict's separation-of-duties evidence. */
function contributorsRecorded(record: ChangeRecord | null, facts: ChangeFacts | null = record?.facts ?? null): string[] {
  const logins = new Set<string>();
  if (record?.verdict.subject.author) logins.add(record.verdict.subject.author);
  const sod = record?.verdict.rules.find((r) => r.rule === 'separation_of_duties')?.evidence as SeparationOfDutiesEvidence | undefined;
  for (const c of sod?.contributors ?? []) logins.add(c.login);
  if (facts) for (const c of analyseContributors(facts).contributors) logins.add(c.login);
  return [...logins];
}

/** The change's facts with every push to its head branch the app recorded; GitHub's facts when the record holds none. */
async function factsOfChange(ctx: JobContext, record: ChangeRecord | null, ref: { owner: string; repo: string; number: number }): Promise<ChangeFacts> {
  const facts = record?.facts ?? (await collectPullRequest(ctx.octokit, ref, { now: ctx.services.clock }));
  return withRecordedPushes(ctx, facts);
}

/**
 * The account ids the evidence names, with the login each had there: the
 * change's author, the authors, co-authors and committers of its commits, its
 * pushers and whoever merged it; for a direct push, its sender. Logins can be
 * renamed, ids cannot.
 */
function accountsOf(facts: ChangeFacts | null, push: PushRecord | null): Map<number, { login: string; caused: boolean }> {
  const accounts = new Map<number, { login: string; caused: boolean }>();
  const add = (id: number | null | undefined, login: string | null | undefined, caused = false) => {
    if (typeof id !== 'number' || !login) return;
    const seen = accounts.get(id);
    accounts.set(id, { login: seen?.login ?? login, caused: caused || !!seen?.caused });
  };
  if (facts) {
    add(facts.author?.id, facts.author?.login);
    for (const commit of facts.commits) {
      for (const person of [...commit.authors, commit.committer]) add(person.user?.id, person.user?.login);
    }
    for (const p of facts.pushes ?? []) add(p.pusherId, p.formerLogin ?? p.pusher);
    add(facts.merge?.mergedBy?.id, facts.merge?.mergedBy?.login, true);
  }
  if (push) add(push.senderId, push.sender, true);
  return accounts;
}

/**
 * Whoever shaped a direct push, as recorded: its sender and pusher, and the
 * author and committer of every commit it brought (the co-authors are read
 * from GitHub when someone responds).
 */
function pushContributors(push: PushRecord | null): string[] {
  if (!push) return [];
  return [push.sender, push.pusher?.name, ...push.commits.flatMap((c) => [c.author, c.committer])].filter((l): l is string => typeof l === 'string' && l !== '');
}
