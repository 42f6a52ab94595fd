import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './respond.js';

/** What reading a request body within a limit gave. */
export type LimitedBody = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * The request's declared `Content-Length`, or null when it declares none
 * (a chunked body). Node's parser has already refused a malformed one.
 */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/** Whether the request declares a body longer than `limit` bytes (nothing is read to know). */
export function declaresMoreThan(req: IncomingMessage, limit: number): boolean {
  const length = declaredLength(req);
  return length !== null && length > limit;
}

/** Whether a body may follow the headers at all (chunked, or a non-zero length). */
export function mayHaveBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (declaredLength(req) ?? 0) > 0;
}

/**
 * Reads the body, keeping at most `limit` bytes: the first chunk past the
 * limit stops the reading (the rest is never buffered) and gives
 * `too_large`; a client that goes away first gives `aborted`. With `keep`
 * false the bytes are counted and dropped (a route that takes no body).
 *
 * @example
 * const read = await readBodyWithin(req, 8 * 1024 * 1024);
 * if (!read.ok) return read.reason === 'too_large' ? sendTooLarge(res, limit, 'An export to sign') : true;
 */
export function readBodyWithin(req: IncomingMessage, limit: number, { keep = true } = {}): Promise<LimitedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: LimitedBody) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop here: nothing more is read into memory; the answer closes the connection.
        req.pause();
        chunks.length = 0;
        finish({ ok: false, reason: 'too_large' });
        return;
      }
      if (keep) chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/**
 * Answers 413 and closes the connection once the answer is out, so the rest
 * of an oversized body is neither read nor kept.
 */
export function sendTooLarge(res: ServerResponse, limit: number, what: string): true {
  // `connection: close` makes Node end the connection after the answer instead of draining the body.
  return sendJson(res, 413, { error: `${what} may be at most ${describeBytes(limit)}; this request is larger` }, { connection: 'close' });
}

/** `26214400` → `25 MiB`, `1024` → `1 KiB`. */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
