import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets or signatures without leaking, through timing, how much of them
 * matched. `timingSafeEqual` needs equal lengths, so both sides are first hashed to 32 bytes:
 * the comparison time depends on neither value, and a length mismatch is no early exit.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digestA = createHash('sha256').update(a).digest();
  const digestB = createHash('sha256').update(b).digest();
  return timingSafeEqual(digestA, digestB);
}
