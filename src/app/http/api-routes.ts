import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ledger, ReadQuery } from '../../ledger/index.js';
import { verifierFile } from '../../export/verifier-file.js';
import type { InstallationRateLimits } from '../../github/rate-limits.js';
import { hasBearerToken } from './bearer-token.js';
import { declaresMoreThan, mayHaveBody, readBodyWithin, sendTooLarge } from './body-limit.js';
import { exceptionRespond, type ExceptionRespondOptions } from './exception-respond.js';
import { exportSigning, type ExportSigningOptions } from './export-signing.js';
import { LedgerQueryError, parseLedgerQuery } from './ledger-query.js';
import { sendJson, sendText } from './respond.js';

/** The read routes take no body; a few bytes (a client that always sends one) are tolerated and dropped. */
export const MAX_READ_REQUEST_BYTES = 1024;

export interface ApiOptions {
  ledger: Ledger;
  version: string;
  /** `CHANGEPROOF_API_TOKEN`; without it the read API is off. */
  apiToken: string | undefined;
  /** Deliveries accepted but not finished, for the health report. */
  pendingWork: () => Promise<number>;
  /** GitHub's latest rate-limit figures by installation, for the health report (token holder only). */
  rateLimits?: () => Record<string, InstallationRateLimits>;
  /** Re-evaluations waiting for an installation's rate limit to reset, by installation id. */
  deferred?: () => Record<string, { deliveries: number; until: string; resource: string; remaining: number; limit: number }>;
  /** Signing of auditor exports (its own token; the app re-derives every export before it signs). */
  signing: Omit<ExportSigningOptions, 'ledger'>;
  /** Responses to direct pushes' exceptions (the signing token, and the responder's GitHub token); absent: off. */
  responding?: Omit<ExceptionRespondOptions, 'ledger' | 'signingTokens'>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Changeproof's own HTTP API (SPEC §1.1), served beside Probot's webhook route:
 *
 * - `GET /api/changeproof/health` — status and version; with the read token also the ledger's size,
 *   head hash and last checkpoint, the pending deliveries and GitHub's latest rate-limit figures per
 *   installation (503 when the ledger cannot be read);
 * - `GET /api/changeproof/public-key` — the checkpoint verification key (PEM);
 * - `GET /api/changeproof/verifier` — this release's standalone verifier
 *   (changeproof-verify.mjs, the copy every export package carries; its SHA-256 in the X-Content-SHA256 header);
 * - `GET /api/changeproof/ledger?from=ISO&to=ISO[&repo=owner/name]` — entries as NDJSON,
 *   `Authorization: Bearer <CHANGEPROOF_API_TOKEN>` required; parameters read strictly (ledger-query.ts);
 * - `POST /api/changeproof/export-signature` `{"manifest": "…", "selection": "…"}` — the ledger
 *   key signs an auditor export once the app has re-derived it from its own ledger (recorded as
 *   an `export` entry; a refusal as an `export_refused` entry); the signing token is required
 *   (see export-signing.ts);
 * - `POST /api/changeproof/exception-response` — a response to a direct push's exception, with the
 *   signing token and the responder's own GitHub token (see exception-respond.ts).
 *
 * The read routes take no body: one beyond 1 KiB is refused (413) before it is read.
 *
 * @example addHandler(apiRoutes({ ledger, version, apiToken: process.env.CHANGEPROOF_API_TOKEN, pendingWork }))
 */
export function apiRoutes(options: ApiOptions): Handler {
  const signExport = exportSigning({ ledger: options.ledger, ...options.signing });
  const respond = options.responding ? exceptionRespond({ ledger: options.ledger, signingTokens: options.signing.signingTokens, ...options.responding }) : null;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/changeproof/')) return false;
    if (url.pathname === '/api/changeproof/export-signature') return signExport(req, res);
    if (url.pathname === '/api/changeproof/exception-response' && respond) return respond(req, res);
    if (await refuseBody(req, res)) return true;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET is supported' }, { allow: 'GET' });
    switch (url.pathname) {
      case '/api/changeproof/health':
        return health(req, res, options);
      case '/api/changeproof/public-key':
        return sendText(res, 200, options.ledger.publicKeyPem(), 'application/x-pem-file');
      case '/api/changeproof/verifier':
        return verifier(res);
      case '/api/changeproof/ledger':
        return ledgerEntries(req, res, url, options);
      default:
        return sendJson(res, 404, { error: `unknown route ${url.pathname}` });
    }
  };
}

/**
 * Status and version for anyone (a load balancer's probe); the ledger's size,
 * head, last checkpoint, the pending deliveries and the rate-limit figures
 * (which name installations and show how busy they are) only for the read token.
 */
async function health(req: IncomingMessage, res: ServerResponse, options: ApiOptions): Promise<true> {
  const detailed = options.apiToken !== undefined && hasBearerToken(req, options.apiToken);
  try {
    const [head, checkpoint, pending] = await Promise.all([options.ledger.head(), options.ledger.latestCheckpoint(), options.pendingWork()]);
    if (!detailed) return sendJson(res, 200, { status: 'ok', version: options.version });
    return sendJson(res, 200, {
      status: 'ok',
      version: options.version,
      ledger: { size: head.size, head_hash: head.hash, last_checkpoint: checkpoint ? { seq: checkpoint.seq, size: checkpoint.size, time: checkpoint.time } : null },
      pending_deliveries: pending,
      verifier_sha256: verifierSha256(),
      ...(options.rateLimits ? { rate_limits: rateLimitReport(options.rateLimits()) } : {}),
      ...(options.deferred ? { deferred_reevaluations: options.deferred() } : {}),
    });
  } catch (error) {
    return sendJson(res, 503, { status: 'unavailable', version: options.version, ...(detailed ? { error: (error as Error).message } : {}) });
  }
}

/** By installation id: each resource's limit, remaining and reset as GitHub last stated them, and the last GraphQL query's cost. */
function rateLimitReport(limits: Record<string, InstallationRateLimits>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(limits).map(([installation, { resources, lastGraphqlCost }]) => [
      installation,
      {
        ...Object.fromEntries(
          Object.entries(resources).map(([name, r]) => [name, { limit: r.limit, remaining: r.remaining, resets_at: r.resetsAt, read_at: r.readAt }]),
        ),
        last_graphql_cost: lastGraphqlCost,
      },
    ]),
  );
}

function verifierSha256(): string | null {
  try {
    return verifierFile().sha256;
  } catch {
    return null;
  }
}

function verifier(res: ServerResponse): true {
  let file: { bytes: Buffer; sha256: string };
  try {
    file = verifierFile();
  } catch (error) {
    return sendJson(res, 404, { error: (error as Error).message });
  }
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': file.bytes.length, 'content-disposition': 'attachment; filename="changeproof-verify.mjs"', 'x-content-sha256': file.sha256 });
  res.end(file.bytes);
  return true;
}

/**
 * Answers 413 to a body beyond {@link MAX_READ_REQUEST_BYTES}: a declared
 * length at once, a chunked body once that much has streamed in (it is
 * counted, never kept). True when it was answered (or the client left).
 */
async function refuseBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (declaresMoreThan(req, MAX_READ_REQUEST_BYTES)) return sendTooLarge(res, MAX_READ_REQUEST_BYTES, 'A request to the read API (which takes no body)');
  if (!mayHaveBody(req)) return false;
  const read = await readBodyWithin(req, MAX_READ_REQUEST_BYTES, { keep: false });
  if (read.ok) return false;
  return read.reason === 'too_large' ? sendTooLarge(res, MAX_READ_REQUEST_BYTES, 'A request to the read API (which takes no body)') : true;
}

/** Answers 404/401 unless the request carries the API token; true when it was answered. */
function refuseUnauthorised(req: IncomingMessage, res: ServerResponse, options: ApiOptions): boolean {
  if (!options.apiToken) {
    return sendJson(res, 404, { error: 'the read API is off: set CHANGEPROOF_API_TOKEN on the app to enable it' });
  }
  if (!hasBearerToken(req, options.apiToken)) {
    return sendJson(res, 401, { error: 'a valid bearer token is required (Authorization: Bearer <CHANGEPROOF_API_TOKEN>)' }, { 'www-authenticate': 'Bearer realm="changeproof"' });
  }
  return false;
}

async function ledgerEntries(req: IncomingMessage, res: ServerResponse, url: URL, options: ApiOptions): Promise<true> {
  if (refuseUnauthorised(req, res, options)) return true;
  let query: ReadQuery;
  try {
    query = parseLedgerQuery(url.searchParams);
  } catch (error) {
    if (error instanceof LedgerQueryError) return sendJson(res, 400, { error: error.message, parameter: error.parameter });
    throw error;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  try {
    for await (const line of options.ledger.readLines(query)) {
      if (res.destroyed) break;
      if (!res.write(`${line}\n`)) await once(res, 'drain');
    }
    res.end();
  } catch (error) {
    // Headers are gone: cut the stream so the client sees a truncated body, never a silently short one.
    res.destroy(error as Error);
  }
  return true;
}
