import { createHash, timingSafeEqual } from 'node:crypto';

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
