/**
 * How long a Redis connection is given to close gracefully (its QUIT answered, BullMQ's
 * connections released) before it is dropped. Redis answers in well under a millisecond; one
 * that has not answered in a second is gone, and waiting on it would hold a shutdown until the
 * process is killed.
 */
export const REDIS_CLOSE_TIMEOUT_MS = 1000;

/**
 * Waits for `graceful` at most `ms`, then runs `force` (drop the connection) and returns: a peer
 * that stopped answering, silently, must not hold a shutdown. A graceful close that fails is
 * forced too; the close was wanted either way.
 */
export async function closeWithin(graceful: Promise<unknown>, ms: number, force: () => unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const closed = await Promise.race([graceful.then(() => true, () => false), expired]);
    if (!closed) await force();
  } finally {
    clearTimeout(timer);
  }
}
