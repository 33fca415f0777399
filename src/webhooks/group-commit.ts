import { Deadline } from './deadline.js';

/** Runs one batch; `deadline` is the earliest of its callers' (see createGroupCommit). */
export type GroupFlush<T, R> = (items: T[], deadline: Deadline | undefined) => Promise<R[]>;

/**
 * Group commit: callers arriving while flushes are in flight wait and go together in the next
 * one, so N concurrent webhook deliveries cost one transaction instead of N. A lone caller is
 * flushed at once (no added delay). Up to `maxInFlight` flushes run at once (each with its own
 * connection), so the rate is not capped at one batch per round trip. `flush` returns one result
 * per item, in order; when it fails, every caller of that batch gets the error.
 *
 * A caller may pass a `deadline`: once it passes, the caller's items are abandoned for real, not
 * merely no longer awaited. Still waiting, they leave the queue; already in a flush, the flush's
 * deadline (the earliest of its callers') passes, and the whole batch is abandoned with it (its
 * transaction must not commit later for a caller that has answered "not stored"). A caller
 * waits that long only when the database is not answering, so its batch would fail anyway.
 */
export function createGroupCommit<T, R>(flush: GroupFlush<T, R>, maxBatch = 500, maxInFlight = 1): (items: readonly T[], deadline?: Deadline) => Promise<R[]> {
  interface Waiting {
    items: readonly T[];
    deadline: Deadline | undefined;
    resolve(results: R[]): void;
    reject(error: unknown): void;
  }
  const queue: Waiting[] = [];
  let inFlight = 0;

  const flushNext = async (): Promise<void> => {
    const batch: Waiting[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.items.length <= maxBatch)) {
      const next = queue.shift()!;
      batch.push(next);
      size += next.items.length;
    }
    const deadlines = batch.flatMap((waiting) => (waiting.deadline ? [waiting.deadline] : []));
    try {
      const results = await flush(
        batch.flatMap((waiting) => waiting.items),
        Deadline.earliest(deadlines),
      );
      let offset = 0;
      for (const waiting of batch) {
        waiting.resolve(results.slice(offset, offset + waiting.items.length));
        offset += waiting.items.length;
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  };

  const drain = async (): Promise<void> => {
    inFlight++;
    try {
      while (queue.length > 0) await flushNext();
    } finally {
      inFlight--;
    }
  };

  return (items, deadline) =>
    new Promise<R[]>((resolve, reject) => {
      const signal = deadline?.signal;
      if (signal?.aborted) return reject(signal.reason);
      const waiting: Waiting = { items, deadline, resolve, reject };
      signal?.addEventListener(
        'abort',
        () => {
          const index = queue.indexOf(waiting);
          if (index === -1) return; // in a flush: the flush's deadline passes too
          queue.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      queue.push(waiting);
      if (inFlight < maxInFlight) void drain();
    });
}
