import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, isBrokenCircuitError, isTaskCancelledError, type CircuitBreakerPolicy } from 'cockatiel';
import { IntegrationError } from './integration-error.js';
import { isAbortError } from './abort.js';
import { CircuitOpenError } from './circuit-open-error.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';

export type CircuitStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** A breaker's state as the rest of the service reads it (the GraphQL `ProviderHealth` type). */
export interface ProviderHealth {
  circuitState: CircuitStateName;
  /** Failures since the last success (it keeps counting while open). */
  consecutiveFailures: number;
  lastFailureAt: Date | null;
  /** The last failure's message: never a token or a body (see `IntegrationError`). */
  lastError: string | null;
}

export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call may go through, in ms. @default 60000 */
  resetTimeout?: number;
}

export interface CircuitBreakerOptions extends CircuitBreakerConfig {
  /** Names the breaker in errors, logs and metrics. @default 'circuit-breaker' */
  name?: string;
  /** Called on every transition. */
  onStateChange?: (state: CircuitStateName, previous: CircuitStateName) => void;
  /** Which errors count as failures. @default {@link isProviderFailure} */
  isFailure?: (error: unknown) => boolean;
}

/** The seed's presets: `standard` for most providers, `aggressive` to shed load fast, `tolerant` for flaky-but-vital ones. */
export const CircuitBreakerPresets = {
  standard: { failureThreshold: 5, resetTimeout: 60_000 },
  aggressive: { failureThreshold: 3, resetTimeout: 30_000 },
  tolerant: { failureThreshold: 10, resetTimeout: 120_000 },
} as const satisfies Record<string, Required<CircuitBreakerConfig>>;

/**
 * Whether an error says the provider is failing: an `IntegrationError` knows (5xx, timeouts
 * and network errors do; "your request is wrong" 4xx and 429 do not); the caller's abort or
 * deadline says nothing about the provider; any other error counts.
 */
export function isProviderFailure(error: unknown): boolean {
  if (error instanceof IntegrationError) return error.providerFault;
  return !(error instanceof DeadlineExceededError || isTaskCancelledError(error) || isAbortError(error) || isBrokenCircuitError(error));
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'CLOSED',
  [CircuitState.Open]: 'OPEN',
  [CircuitState.HalfOpen]: 'HALF_OPEN',
  // Held open by hand (`isolate`): to a reader it is open.
  [CircuitState.Isolated]: 'OPEN',
};

const MAX_ERROR_LENGTH = 500;

/**
 * The seed's circuit breaker over cockatiel's (consecutive-failure breaker): CLOSED counts
 * consecutive failures; at the threshold it opens and fails fast with {@link CircuitOpenError}
 * without calling; after `resetTimeout` one probe call goes through (HALF_OPEN; concurrent
 * callers wait for its verdict) and its outcome closes or re-opens the circuit.
 */
export class CircuitBreaker {
  readonly name: string;
  readonly #counter: ConsecutiveBreaker;
  readonly #policy: CircuitBreakerPolicy;
  readonly #resetTimeout: number;
  readonly #listeners = new Set<(state: CircuitStateName, previous: CircuitStateName) => void>();
  #state: CircuitStateName = 'CLOSED';
  #openedAt = 0;
  #lastFailureAt: Date | null = null;
  #lastError: string | null = null;

  constructor(options: CircuitBreakerOptions = {}) {
    const failureThreshold = options.failureThreshold ?? CircuitBreakerPresets.standard.failureThreshold;
    this.#resetTimeout = options.resetTimeout ?? CircuitBreakerPresets.standard.resetTimeout;
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1) throw new RangeError(`failureThreshold must be an integer >= 1, got ${failureThreshold}`);
    if (!(this.#resetTimeout >= 0)) throw new RangeError(`resetTimeout must be >= 0, got ${this.#resetTimeout}`);
    this.name = options.name ?? 'circuit-breaker';
    this.#counter = new ConsecutiveBreaker(failureThreshold);
    const isFailure = options.isFailure ?? isProviderFailure;
    // The last failure is recorded where cockatiel asks whether an error is one (once per
    // error), not in an `onFailure` listener: with a listener cockatiel times every call, a
    // success included (two clock reads and a closure per call).
    const countsAsFailure = (error: unknown): boolean => {
      if (!isFailure(error)) return false;
      this.#lastFailureAt = new Date();
      const message = error instanceof Error ? error.message : String(error);
      this.#lastError = message.slice(0, MAX_ERROR_LENGTH);
      return true;
    };
    this.#policy = circuitBreaker(handleWhen(countsAsFailure), { halfOpenAfter: this.#resetTimeout, breaker: this.#counter });
    if (options.onStateChange) this.#listeners.add(options.onStateChange);
    this.#policy.onStateChange((state) => {
      const previous = this.#state;
      const next = STATE_NAMES[state];
      this.#state = next;
      if (next === 'OPEN') this.#openedAt = Date.now();
      if (next === previous) return;
      for (const listener of this.#listeners) listener(next, previous);
    });
  }

  /**
   * Runs `fn` through the breaker. `fn` gets a signal that aborts with `signal`.
   * @throws {@link CircuitOpenError} without calling `fn` while the circuit is open.
   */
  async execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    try {
      return await this.#policy.execute((context) => fn(context.signal), signal);
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * {@link execute} without an async step of its own: an open circuit rejects with cockatiel's
   * `BrokenCircuitError`, which the caller passes through {@link translate}. For the HTTP
   * client's hot path, which catches anyway.
   */
  executeUntranslated<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    return this.#policy.execute(fn, signal);
  }

  /** Cockatiel's `BrokenCircuitError` as this breaker's {@link CircuitOpenError}; other errors as they are. */
  translate(error: unknown): unknown {
    return isBrokenCircuitError(error) ? new CircuitOpenError(this.name, this.#msUntilProbe()) : error;
  }

  getState(): CircuitStateName {
    return this.#state;
  }

  getHealth(): ProviderHealth {
    return {
      circuitState: this.#state,
      consecutiveFailures: this.#counter.state,
      lastFailureAt: this.#lastFailureAt,
      lastError: this.#lastError,
    };
  }

  /** Listens to transitions; returns the unsubscribe function. */
  subscribe(listener: (state: CircuitStateName, previous: CircuitStateName) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #msUntilProbe(): number {
    return Math.max(0, this.#openedAt + this.#resetTimeout - Date.now());
  }
}
