/**
 * How many undelivered messages one subscriber may have waiting. A consumer that falls this far
 * behind (a stalled socket) loses the oldest ones instead of growing the heap without bound;
 * subscriptions carry snapshots, so the newest message supersedes older ones of the same row.
 */
export const MAX_BUFFERED_MESSAGES = 1000;

/**
 * A push-driven async iterator: `attach` registers a listener and returns its detach function,
 * which runs exactly once, when the iterator ends (return(), throw(), or `signal` aborting).
 */
export function createSubscriptionIterator<T>(
  attach: (push: (message: T) => void) => () => void,
  signal?: AbortSignal,
): AsyncIterableIterator<T> {
  const buffered: T[] = [];
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  let done = false;

  const push = (message: T): void => {
    if (done) return;
    const resolve = waiting.shift();
    if (resolve) {
      resolve({ value: message, done: false });
      return;
    }
    buffered.push(message);
    if (buffered.length > MAX_BUFFERED_MESSAGES) buffered.shift();
  };

  let detach: (() => void) | undefined;
  const finish = (): void => {
    if (done) return;
    done = true;
    signal?.removeEventListener('abort', finish);
    detach?.();
    buffered.length = 0;
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
  };

  if (signal?.aborted) {
    done = true;
  } else {
    detach = attach(push);
    signal?.addEventListener('abort', finish, { once: true });
  }

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      finish();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
