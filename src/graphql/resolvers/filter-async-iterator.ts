/**
 * Filters an async iterator while forwarding `return()` straight to the source. An async
 * generator (`for await … yield`) would queue `return()` behind a pending `next()`, so a
 * subscription on a quiet topic could never be torn down; this wrapper does not.
 */
export function filterAsyncIterator<T>(
  source: AsyncIterableIterator<T>,
  keep: (value: T) => boolean,
): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
