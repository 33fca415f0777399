/**
 * Thrown by an open circuit breaker instead of running the call: nothing was sent.
 * `retryAfterMs` is how long until the breaker lets a probe through.
 */
export class CircuitOpenError extends Error {
  readonly code = 'CIRCUIT_OPEN';

  constructor(
    readonly breakerName: string,
    readonly retryAfterMs: number,
  ) {
    super(`Circuit breaker "${breakerName}" is open; failing fast`);
    this.name = 'CircuitOpenError';
  }
}
