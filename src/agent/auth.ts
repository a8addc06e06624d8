import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The key a request presents: `X-Server-Key` (machine-lab's header), else an
 * `Authorization: Bearer` token. A header sent twice arrives as a list; that is refused.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-server-key'];
  if (typeof direct === 'string') return direct;
  if (direct !== undefined) return undefined;
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Compares keys in time that depends on neither their content nor their lengths: both sides are
 * hashed first, so `timingSafeEqual` always compares 32 bytes. The expected digest is computed
 * once.
 */
export function keyChecker(expected: string): (presented: string | undefined) => boolean {
  const want = digest(expected);
  return (presented) => {
    if (presented === undefined) return false;
    return timingSafeEqual(digest(presented), want);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
