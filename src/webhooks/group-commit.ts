/**
 * Group commit: callers arriving while a flush is in flight wait and go together in the next
 * one, so N concurrent webhook deliveries cost one transaction instead of N. A lone caller is
 * flushed at once (no added delay). `flush` returns one result per item, in order; when it
 * fails, every caller of that batch gets the error.
 */
export function createGroupCommit<T, R>(flush: (items: T[]) => Promise<R[]>, maxBatch = 500): (items: readonly T[]) => Promise<R[]> {
  interface Waiting {
    items: readonly T[];
    resolve(results: R[]): void;
    reject(error: unknown): void;
  }
  let queue: Waiting[] = [];
  let flushing = false;

  const drain = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
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
    }
    flushing = false;
  };

  return (items) =>
    new Promise<R[]>((resolve, reject) => {
      queue.push({ items, resolve, reject });
      if (!flushing) void drain();
    });
}
