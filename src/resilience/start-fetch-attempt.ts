import { startAttemptTimeout } from './attempt-timeouts.js';
import { DispatcherAttempt, dispatcherAttemptsWork, GLOBAL_DISPATCHER } from './dispatcher-attempt.js';
import type { FetchAttempt } from './fetch-attempt.js';
import { SignalAttempt } from './signal-attempt.js';

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
