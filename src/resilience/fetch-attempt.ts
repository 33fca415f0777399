import type { ExpiringAttempt } from './attempt-timeouts.js';

/**
 * One `fetch` of a call, ended by its timeout (see attempt-timeouts.ts): in the transport
 * (dispatcher-attempt.ts) or by an AbortSignal (signal-attempt.ts); start-fetch-attempt.ts picks.
 */
export interface FetchAttempt extends ExpiringAttempt {
  /** Sets what `fetch` needs to end this attempt at its timeout, and at the caller's signal if given. */
  applyTo(init: RequestInit, callSignal: AbortSignal | undefined): void;
}
