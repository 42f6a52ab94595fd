import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Whether the request carries `Authorization: Bearer <expected>`. Both sides
 * are hashed first so the comparison is constant-time whatever their lengths
 * (timingSafeEqual needs equal lengths; comparing raw lengths would leak them).
 */
export function hasBearerToken(req: IncomingMessage, expected: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
