import { startAttemptTimeout, TimedAttempt } from './attempt-timeouts.js';
import { DispatcherAttempt, dispatcherAttemptsWork, GLOBAL_DISPATCHER } from './dispatcher-attempt.js';

/** One `fetch` of a call, ended by its timeout (see attempt-timeouts.ts). */
export interface FetchAttempt extends TimedAttempt {
  /** The timeout has fired: a failure of this attempt is a timeout. */
  readonly expired: boolean;
  /** Sets what `fetch` needs to end this attempt at its timeout, and at the caller's signal if given. */
  applyTo(init: RequestInit, callSignal: AbortSignal | undefined): void;
}

/**
 * An attempt timed out through an AbortSignal of its own: for a `fetch` that is not Node's
 * (a test's spy, a wrapper), which may ignore a dispatcher. The controller is fresh per attempt:
 * `fetch` ties a listener to the signal it is given that only goes when the request is
 * garbage-collected, so a long-lived signal would pile them up.
 */
class SignalAttempt extends TimedAttempt implements FetchAttempt {
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

/** Node's own `fetch`, as the process started with it. */
const nativeFetch = globalThis.fetch;
let globalDispatcherMade = false;

/**
 * Whether `fetch` is Node's own and has made its global dispatcher (it does on its first call),
 * so that an attempt can be ended in the transport ({@link DispatcherAttempt}).
 */
export function fetchTakesDispatcher(): boolean {
  if (globalThis.fetch !== nativeFetch || !dispatcherAttemptsWork()) return false;
  // Once made, the global dispatcher stays (`setGlobalDispatcher` replaces it): looked up until then.
  globalDispatcherMade ||= (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER] !== undefined;
  return globalDispatcherMade;
}

/**
 * An attempt of `timeoutMs` from now, its timeout running: ended in the transport where it can
 * be, else by an AbortSignal. `clearAttemptTimeout` it when it is over.
 */
export function startFetchAttempt(timeoutMs: number): FetchAttempt {
  const expiresAt = performance.now() + timeoutMs;
  const attempt = fetchTakesDispatcher() ? new DispatcherAttempt(expiresAt) : new SignalAttempt(expiresAt);
  startAttemptTimeout(attempt);
  return attempt;
}
