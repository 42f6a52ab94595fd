import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Probot } from 'probot';
import { declaresMoreThan, readBodyWithin, sendTooLarge } from './http/body-limit.js';

/**
 * GitHub caps webhook payloads at 25 MB ("Webhook payloads are capped at
 * 25 MB", docs.github.com, Webhook events and payloads): no genuine delivery is
 * larger. Read as 25 MiB, the generous reading, so none is ever refused.
 */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/** The app's own API reads bodies itself, within smaller limits (see http/api-routes.ts). */
const OWN_API = '/api/changeproof/';

type NodeMiddleware = Awaited<ReturnType<Probot['getNodeMiddleware']>>;

/**
 * Puts a body limit in front of Probot's webhook route, which would otherwise
 * buffer any body whole before checking its signature (`@octokit/webhooks`
 * reads the stream to its end first).
 *
 * Probot's server asks the app's Probot for its webhook middleware when it
 * starts and runs it before every other handler, for every request; wrapping
 * that middleware here makes the limit hold however the server is started
 * (`npm start`, tests, another embedding):
 *
 * 1. a request outside the app's own API declaring a `Content-Length` over
 *    the limit gets 413 at once, its body unread, and the connection is closed;
 * 2. any other POST outside the app's own API (the webhook route, whatever
 *    `WEBHOOK_PATH` says) is read up to the limit as it streams: past it,
 *    413 and the connection is closed, the bytes read so far dropped; within
 *    it, the body is handed to the webhook middleware as read
 *    (`request.rawBody`, which `@octokit/webhooks` takes in place of the
 *    stream), signature checks and all.
 *
 * @example
 * export const appFn = (app: Probot) => { limitIntake(app); … };
 */
export function limitIntake(app: Probot, maxBytes = MAX_WEBHOOK_BODY_BYTES): void {
  const getNodeMiddleware = app.getNodeMiddleware.bind(app);
  app.getNodeMiddleware = async (options) => limitBodies(await getNodeMiddleware(options), maxBytes);
}

function limitBodies(middleware: NodeMiddleware, maxBytes: number): NodeMiddleware {
  return async (req: IncomingMessage, res: ServerResponse, next?: Parameters<NodeMiddleware>[2]) => {
    if (pathOf(req).startsWith(OWN_API)) return middleware(req, res, next);
    if (declaresMoreThan(req, maxBytes)) return sendTooLarge(res, maxBytes, 'A webhook delivery');
    if (req.method !== 'POST') return middleware(req, res, next);
    const read = await readBodyWithin(req, maxBytes);
    if (!read.ok) return read.reason === 'too_large' ? sendTooLarge(res, maxBytes, 'A webhook delivery') : true;
    // `@octokit/webhooks` reads `rawBody` instead of the stream when the body is an object (its getPayload).
    Object.assign(req, { body: {}, rawBody: new Uint8Array(read.body.buffer, read.body.byteOffset, read.body.length) });
    return middleware(req, res, next);
  };
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return req.url ?? '/';
  }
}
