export interface BodyLimitHooks {
  /** The source went over the limit: the stream errors with `error` right after this. */
  onOverflow(error: Error): void;
  /** The source ended within the limit: every byte has been handed on. */
  onEnd(): void;
}

/**
 * `source` passed on chunk by chunk as the reader asks (nothing is buffered beyond the chunk in
 * hand), counting bytes: past `maxBytes` the stream errors with `tooLarge()` and the source is
 * cancelled, so a body over the limit is refused after reading one chunk more than the limit, not
 * after reading it whole.
 */
export function limitRequestBody(source: ReadableStream<Uint8Array>, maxBytes: number, tooLarge: () => Error, hooks: BodyLimitHooks): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let received = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        hooks.onEnd();
        controller.close();
        return;
      }
      received += value.byteLength;
      if (received > maxBytes) {
        const error = tooLarge();
        hooks.onOverflow(error);
        controller.error(error);
        await reader.cancel(error).catch(() => undefined);
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
