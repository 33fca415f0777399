/**
 * Group commit: callers arriving while flushes are in flight wait and go together in the next
 * one, so N concurrent webhook deliveries cost one transaction instead of N. A lone caller is
 * flushed at once (no added delay). Up to `maxInFlight` flushes run at once (each with its own
 * connection), so the rate is not capped at one batch per round trip. `flush` returns one result
 * per item, in order; when it fails, every caller of that batch gets the error.
 */
export function createGroupCommit<T, R>(flush: (items: T[]) => Promise<R[]>, maxBatch = 500, maxInFlight = 1): (items: readonly T[]) => Promise<R[]> {
  interface Waiting {
    items: readonly T[];
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
    try {
      const results = await flush(batch.flatMap((waiting) => waiting.items));
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

  return (items) =>
    new Promise<R[]>((resolve, reject) => {
      queue.push({ items, resolve, reject });
      if (inFlight < maxInFlight) void drain();
    });
}
