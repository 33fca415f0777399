import type { TimedAttempt } from './attempt-timeouts.js';

/**
 * One `fetch` of a call, ended by its timeout (see attempt-timeouts.ts): in the transport
 * (dispatcher-attempt.ts) or by an AbortSignal (signal-attempt.ts); start-fetch-attempt.ts picks.
 */
export interface FetchAttempt extends TimedAttempt {
  /** The timeout has fired: a failure of this attempt is a timeout. */
  readonly expired: boolean;
  /** Sets what `fetch` needs to end this attempt at its timeout, and at the caller's signal if given. */
  applyTo(init: RequestInit, callSignal: AbortSignal | undefined): void;
}

/** Seconds since the attempt started (its timeout was armed `timeoutMs` before it expires). */
export const attemptSeconds = (attempt: FetchAttempt, timeoutMs: number): number => (performance.now() - (attempt.expiresAt - timeoutMs)) / 1000;
