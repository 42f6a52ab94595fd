import { getTransformStream } from '@probot/pino';
import { pino, type Logger } from 'pino';

/**
 * Where a secret can sit in what gets logged: the headers of an incoming
 * request (pino-http logs every request, `LOG_FORMAT=json` prints them) —
 * `Authorization` carries the read and signing tokens, the webhook signature
 * is derived from the secret — and the request of an error thrown by Octokit.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'request.headers.authorization',
  'err.headers.authorization',
  'err.request.headers.authorization',
  'err.response.headers.authorization',
  'error.request.headers.authorization',
  '*.headers.authorization',
];

export const REDACTED = '[redacted]';

/**
 * Probot's logger (pino, formatted as `LOG_FORMAT`, `LOG_LEVEL`,
 * `LOG_LEVEL_IN_STRING`, `LOG_MESSAGE_KEY` and `SENTRY_DSN` ask, exactly as
 * Probot builds it) with the places a token or signature can appear redacted
 * in every format: tokens never reach a log line.
 *
 * @example await run(appFn, { log: await createLog(process.env) });
 */
export async function createLog(env: NodeJS.ProcessEnv): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: env['LOG_FORMAT'] === 'json' ? 'json' : 'pretty',
    logLevelInString: env['LOG_LEVEL_IN_STRING'] === 'true',
    sentryDsn: env['SENTRY_DSN'] || undefined,
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    {
      level: env['LOG_LEVEL'] || 'info',
      name: 'probot',
      messageKey: env['LOG_MESSAGE_KEY'] || 'msg',
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
    },
    transform,
  );
}
