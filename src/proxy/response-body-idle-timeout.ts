/**
 * `body` passed on as the reader asks, failing with `stalled()` (and cancelling `body`, which
 * closes the provider's connection) when one read waits longer than `idleMs`. Only time spent
 * waiting on the provider counts: while the reader does not ask (its own consumer is slow), no
 * timer runs, so a large download to a slow caller is not cut.
 */
export function withIdleTimeout(body: ReadableStream<Uint8Array>, idleMs: number, stalled: () => Error): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(stalled()), idleMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), timedOut]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        await reader.cancel(error).catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
