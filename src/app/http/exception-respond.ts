import type { IncomingMessage, ServerResponse } from 'node:http';
import { Octokit } from '@octokit/core';
import { GitHubEvidenceError } from '../../github/errors.js';
import type { GitHubClient } from '../../github/octokit.js';
import { ROUTES } from '../../github/routes.js';
import type { Ledger } from '../../ledger/index.js';
import { decideResponse } from '../jobs/respond-to-exception.js';
import { declaresMoreThan, readBodyWithin, sendTooLarge } from './body-limit.js';
import { authenticate, fingerprint, RateLimiter } from './export-signing.js';
import { sendJson } from './respond.js';
import { plural } from '../../core/format.js';

export interface ExceptionRespondOptions {
  ledger: Ledger;
  /** `CHANGEPROOF_SIGNING_TOKEN`s: recording a response writes to the ledger, which the read token never does. */
  signingTokens: string[];
  /** A client authenticated as the app (JWT), to find the installation of a repository. */
  appClient: () => Promise<GitHubClient>;
  installationClient: (installationId: number) => Promise<GitHubClient>;
  clock: () => Date;
  /** Responses (recorded or refused) per signing token per hour; default 60. Each asks GitHub a few questions. */
  perHour?: number;
}

const REFUSAL_STATUS = { nothing_to_answer: 404, invalid_text: 422, not_permitted: 403, not_independent: 403, unavailable: 502 } as const;

/** A response is a few paragraphs; the body is refused beyond this before it is read. */
export const MAX_RESPOND_REQUEST_BYTES = 64 * 1024;

/**
 * `POST /api/changeproof/exception-response` — a response to a direct push's
 * exception (a pull request's is given as a `/changeproof respond` comment):
 *
 * 1. the caller presents the signing token (`Authorization: Bearer …`);
 * 2. and the responder's own GitHub token (`X-GitHub-Token`): GitHub says who
 *    they are (`GET /user`), so nobody can respond in someone else's name;
 * 3. the body names the push and the text: `{"repository": "acme/api", "subject": "push/<sha>", "text": "…"}`;
 * 4. the same checks as the comment (admin or maintain role, not the pusher or
 *    an author of its commits, an exception to answer); then the
 *    `exception_response` entry is recorded (201), or the refusal says why (403/404/422).
 *
 * The GitHub token is used for that one request and never stored or logged.
 */
export function exceptionRespond(options: ExceptionRespondOptions): (req: IncomingMessage, res: ServerResponse) => Promise<true> {
  const tokens = options.signingTokens.map((token) => ({ token: Buffer.from(token, 'utf8'), fingerprint: fingerprint(token) }));
  const perHour = options.perHour ?? 60;
  const limiter = new RateLimiter(perHour, 3_600_000, options.clock);
  return async (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'only POST is supported' }, { allow: 'POST' });
    if (declaresMoreThan(req, MAX_RESPOND_REQUEST_BYTES)) return sendTooLarge(res, MAX_RESPOND_REQUEST_BYTES, 'A response to an exception');
    if (!tokens.length) return sendJson(res, 404, { error: 'recording responses through the API is off: set CHANGEPROOF_SIGNING_TOKEN on the app to enable it' });
    const caller = authenticate(req, tokens);
    if (!caller) {
      return sendJson(res, 401, { error: 'a valid signing token is required (Authorization: Bearer <CHANGEPROOF_SIGNING_TOKEN>); the read token cannot record' }, { 'www-authenticate': 'Bearer realm="changeproof-signing"' });
    }
    const githubToken = typeof req.headers['x-github-token'] === 'string' ? req.headers['x-github-token'].trim() : '';
    if (!githubToken) return sendJson(res, 401, { error: "the responder's own GitHub token is required (X-GitHub-Token): GitHub says who responds" });
    const read = await readBodyWithin(req, MAX_RESPOND_REQUEST_BYTES);
    if (!read.ok) return read.reason === 'too_large' ? sendTooLarge(res, MAX_RESPOND_REQUEST_BYTES, 'A response to an exception') : true;
    const body = parseBody(read.body.toString('utf8'));
    if (typeof body === 'string') return sendJson(res, 400, { error: body });
    // Each response asks GitHub who responds, their role and who wrote the push: that is what is limited.
    const wait = limiter.take(caller.fingerprint);
    if (wait > 0) {
      return sendJson(res, 429, { error: `at most ${plural(perHour, 'response')} an hour per signing token; try again in ${Math.ceil(wait / 1000)} s` }, { 'retry-after': String(Math.ceil(wait / 1000)) });
    }
    try {
      const app = await options.appClient();
      const [owner, repo] = body.repository.split('/') as [string, string];
      const who = await whoIs(app, githubToken);
      if (!who) return sendJson(res, 401, { error: 'GitHub did not accept the token given in X-GitHub-Token' });
      const installation = await app.request(ROUTES.getRepoInstallation, { owner, repo });
      const octokit = await options.installationClient(installation.data.id);
      const now = options.clock().toISOString();
      const decided = await decideResponse(
        {
          repo: body.repository, subject: body.subject, responder: who.login, responderId: who.id, text: body.text, respondedAt: now,
          source: { via: 'api', tokenFingerprint: caller.fingerprint },
          trigger: { event: 'api', action: 'exception_response', deliveryId: `api-${now}`, sender: who.login },
        },
        { ledger: options.ledger, octokit, clock: options.clock },
      );
      if (!decided.ok) return sendJson(res, REFUSAL_STATUS[decided.kind], { error: `not recorded: ${decided.reason}`, refused: decided.kind });
      const { entries } = await options.ledger.append(decided.entry);
      const entry = entries[0]!;
      return sendJson(res, 201, { recorded: { seq: entry.seq, hash: entry.hash }, responder: who.login, role: decided.record.permission.roleName, exceptions: decided.record.exceptions });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return sendJson(res, 404, { error: `the app is not installed on ${body.repository}, or it does not exist` });
      if (error instanceof GitHubEvidenceError) return sendJson(res, 502, { error: `GitHub could not be asked: ${error.message}` });
      throw error;
    }
  };
}

/** The login and account id GitHub gives for a token, or null when GitHub refuses it. */
async function whoIs(app: GitHubClient, token: string): Promise<{ login: string; id: number | null } | null> {
  const baseUrl = (app.request as unknown as { endpoint: { DEFAULTS: { baseUrl: string } } }).endpoint.DEFAULTS.baseUrl;
  try {
    const { data } = await new Octokit({ auth: token, baseUrl }).request(ROUTES.getAuthenticatedUser);
    if (typeof data.login !== 'string' || data.type === 'Bot') return null;
    return { login: data.login, id: typeof data.id === 'number' && Number.isSafeInteger(data.id) ? data.id : null };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403) return null;
    throw new GitHubEvidenceError('unavailable', `who the token belongs to (${(error as Error).message})`, { cause: error });
  }
}

function parseBody(text: string): { repository: string; subject: string; text: string } | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body must be JSON: {"repository": "owner/name", "subject": "push/<sha>", "text": "…"}';
  }
  const b = body as Record<string, unknown>;
  if (typeof b['repository'] !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(b['repository'])) return '"repository" must be owner/name';
  if (typeof b['subject'] !== 'string' || !/^push\/[0-9a-f]{40}(?:[0-9a-f]{24})?(?:~[1-9]\d{0,2})?$/.test(b['subject'])) {
    return '"subject" must be push/<full sha> (push/<full sha>~2, ~3… for a later push of the same commit; a pull request\'s exception is answered with a `/changeproof respond` comment on it)';
  }
  if (typeof b['text'] !== 'string') return '"text" must be the response, as text';
  return { repository: b['repository'], subject: b['subject'], text: b['text'].replace(/\r\n?/g, '\n').trim() };
}
