import { TimedAttempt } from './attempt-timeouts.js';
import type { FetchAttempt } from './fetch-attempt.js';

/**
 * An attempt timed out through an AbortSignal of its own: for a `fetch` that is not Node's
 * (a test's spy, a wrapper), which may ignore a dispatcher. The controller is fresh per attempt:
 * `fetch` ties a listener to the signal it is given that only goes when the request is
 * garbage-collected, so a long-lived signal would pile them up.
 */
export class SignalAttempt extends TimedAttempt implements FetchAttempt {
  expired = false;
  readonly #controller = new AbortController();

  applyTo(init: RequestInit, callSignal: AbortSignal | undefined): void {
    init.signal = callSignal ? AbortSignal.any([this.#controller.signal, callSignal]) : this.#controller.signal;
  }

  expire(): void {
    this.expired = true;
    this.#controller.abort();
  }
}
