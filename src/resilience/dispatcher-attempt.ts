import { TimedAttempt } from './attempt-timeouts.js';
import type { FetchAttempt } from './fetch-attempt.js';

/** Where undici, and so Node's `fetch`, keeps the process's dispatcher (undici's documented global). */
export const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * The handler Node's `fetch` (undici 7) gives its dispatcher for one request, as far as an
 * attempt uses it: undici's handler interface, in which `onConnect` hands over the function
 * that aborts the request (undici then reports the reason to `onError`), and fetch's handler
 * keeps that function as its `abort`.
 */
export interface FetchDispatchHandler {
  onConnect(abort: (reason: Error) => void): void;
  onError(error: Error): void;
  abort?: ((reason: Error) => void) | null;
}

interface Dispatcher {
  dispatch(options: unknown, handler: FetchDispatchHandler): boolean;
}

/** The dispatcher `fetch` itself would use: whatever `setGlobalDispatcher` installed, else undici's default agent. */
const globalDispatcher = (): Dispatcher => (globalThis as unknown as Record<symbol, Dispatcher>)[GLOBAL_DISPATCHER]!;

/** Set when a `fetch` handed a handler this module does not know (another undici): attempts then use a signal. */
let handlerUnknown = false;

/** Whether fetch's handlers are the ones {@link DispatcherAttempt} knows how to end. */
export const dispatcherAttemptsWork = (): boolean => !handlerUnknown;

const timedOut = (): DOMException => new DOMException('The attempt timed out', 'TimeoutError');

/**
 * An attempt whose timeout is enforced in the transport. It is the `dispatcher` given to
 * `fetch` for the attempt: it hands each dispatch (a redirect makes another) on to the global
 * dispatcher, so the request uses the same pool, proxy and settings as any `fetch`, and keeps
 * fetch's handler, through which the timeout ends the request at any stage, body included:
 * - connected: the handler's `abort` (undici ignores it once the request has completed);
 * - still waiting for a connection (a stalled connect, a full pool): the handler's `onError`,
 *   which fails the fetch at once; when undici connects it later, fetch sees its own
 *   termination and aborts the request itself;
 * - not dispatched yet: `dispatch` fails the handler instead of dispatching.
 *
 * Why not an AbortSignal: for a signal, undici's `fetch` checks its listener count, adds a
 * listener, makes a WeakRef and registers a FinalizationRegistry entry, which keeps the signal
 * alive through young-generation collections: a fresh signal per attempt costs 2–6 % of a local
 * keep-alive round trip, and this nothing measurable. The handler is not wrapped for the same
 * reason: forwarding its five callbacks cost 1 %. The caller's own signal, when there is one,
 * is still given to `fetch`.
 */
export class DispatcherAttempt extends TimedAttempt implements FetchAttempt {
  expired = false;
  #handler: FetchDispatchHandler | undefined;

  applyTo(init: RequestInit & { dispatcher?: unknown }, callSignal: AbortSignal | undefined): void {
    init.dispatcher = this;
    if (callSignal) init.signal = callSignal;
  }

  expire(): void {
    this.expired = true;
    const handler = this.#handler;
    if (!handler) return;
    if (handler.abort) handler.abort(timedOut());
    else handler.onError(timedOut());
  }

  dispatch(options: unknown, handler: FetchDispatchHandler): boolean {
    if (typeof handler.onConnect !== 'function' || typeof handler.onError !== 'function') {
      // A future undici's handler: this attempt runs without its timeout, later ones use a signal.
      handlerUnknown = true;
      process.emitWarning('fetch passed a dispatch handler of an unknown shape: provider request timeouts fall back to AbortSignals');
    } else {
      this.#handler = handler;
      if (this.expired) {
        handler.onError(timedOut());
        return true;
      }
    }
    return globalDispatcher().dispatch(options, handler);
  }
}
