/** A signal that never aborts, for calls made without one. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** True for the errors an aborted `fetch` or signal produces (`AbortError`, `TimeoutError`). */
export const isAbortError = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as the signal aborts, even
 * while the work behind `promise` is still sleeping (cockatiel's retry delay is not abortable).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
