import {
  DelegateBackoff,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  noJitterGenerator,
  retry,
  type IBackoff,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import { IntegrationError } from './integration-error.js';
import { isAbortError, neverAbortedSignal } from './abort.js';
import { CircuitOpenError } from './circuit-open-error.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';
import { runWithinDeadline } from './deadline.js';

/** The shape of a retry schedule: exponential backoff with full jitter, capped. */
export interface RetryPolicyConfig {
  /** Attempts in total, the first one included (1 = no retry). @default 3 */
  maxAttempts?: number;
  /** Upper bound of the first retry's wait, in ms; it doubles per retry. @default 200 */
  initialDelay?: number;
  /** Cap on any backoff wait, in ms. A provider's Retry-After is capped separately. @default 5000 */
  maxDelay?: number;
  /**
   * Full jitter (wait a uniformly random time in [0, bound)), which spreads the retries of many
   * callers hit by the same outage. Off: wait exactly the bound.
   * @default true
   */
  jitter?: boolean;
}

export interface RetryOptions extends RetryPolicyConfig {
  /** Which errors are worth another attempt. @default {@link isRetryableByDefault} */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each wait: `attempt` is the retry's number (1 = first retry). */
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
  /** Aborts the waits and the call; the call then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Overall budget in ms across attempts and waits; past it the call rejects with `DeadlineExceededError`. @default none */
  deadline?: number;
}

/**
 * The seed's presets. `network` suits a user waiting on an API; `aggressive` retries more,
 * sooner (cheap idempotent reads); `conservative` retries once, late (a struggling provider).
 */
export const RetryPresets = {
  network: { maxAttempts: 3, initialDelay: 200, maxDelay: 5_000, jitter: true },
  aggressive: { maxAttempts: 5, initialDelay: 50, maxDelay: 1_000, jitter: true },
  conservative: { maxAttempts: 2, initialDelay: 1_000, maxDelay: 30_000, jitter: true },
} as const satisfies Record<string, Required<RetryPolicyConfig>>;

/** A config with every field set: the given values over the `network` preset. */
export function resolveRetryConfig(config: RetryPolicyConfig = {}): Required<RetryPolicyConfig> {
  const resolved = {
    maxAttempts: config.maxAttempts ?? RetryPresets.network.maxAttempts,
    initialDelay: config.initialDelay ?? RetryPresets.network.initialDelay,
    maxDelay: config.maxDelay ?? RetryPresets.network.maxDelay,
    jitter: config.jitter ?? RetryPresets.network.jitter,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}`);
  if (!(resolved.initialDelay >= 0) || !(resolved.maxDelay >= 0)) throw new RangeError('initialDelay and maxDelay must be >= 0');
  return resolved;
}

/** The wait a failure asked for itself (an `IntegrationError`'s Retry-After), if any. */
const requestedWait = (context: IRetryBackoffContext<unknown>): number | undefined => {
  if (!('error' in context.result)) return undefined;
  const { error } = context.result;
  return error instanceof IntegrationError ? error.retryAfterMs : undefined;
};

/**
 * A cockatiel retry policy for `config`: exponential backoff (full jitter unless turned off),
 * except that a failure carrying a Retry-After waits exactly that long. Retries only errors
 * `isRetryable` accepts.
 */
export function createRetryPolicy(
  config: RetryPolicyConfig,
  isRetryable: (error: unknown) => boolean,
  /** Adjusts each wait (the HTTP client keeps it within the call's deadline). */
  adjustDelay: (delay: number, failure: unknown) => number = (delay) => delay,
): RetryPolicy {
  const { maxAttempts, initialDelay, maxDelay, jitter } = resolveRetryConfig(config);
  const exponential = new ExponentialBackoff({ initialDelay, maxDelay, exponent: 2, generator: jitter ? fullJitterGenerator : noJitterGenerator });
  /** The signal of the call whose wait the backoff just computed, for the hold armed next. */
  let waitSignal: AbortSignal = neverAbortedSignal;
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown>>((context, previous) => {
    // Advance the exponential schedule even when Retry-After wins, so the bound keeps doubling.
    const next = previous ? previous.next(context) : exponential.next();
    const failure = 'error' in context.result ? context.result.error : undefined;
    const delay = adjustDelay(requestedWait(context) ?? next.duration, failure);
    waitSignal = context.signal;
    return { delay, state: next };
  });
  // cockatiel counts retries, not attempts. Its wait timer is unreferenced, as it cannot be
  // cancelled: a referenced one would keep a process whose caller gave up alive for the rest of
  // the wait (up to the longest Retry-After honoured), delaying its shutdown. `holdEventLoop`
  // keeps the process alive through the wait while the call still wants it. It is armed from the
  // retry event, which cockatiel emits right after starting its wait timer: armed before it (in
  // the backoff), the hold could end a millisecond before the wait (Node reads the clock for each
  // timer) and let the process exit with the retry still due.
  const policy = retry(handleWhen(isRetryable), { maxAttempts: maxAttempts - 1, backoff }).dangerouslyUnref();
  policy.onRetry(({ delay }) => holdEventLoop(delay, waitSignal));
  return policy;
}

/** Keeps the event loop alive for `ms`, or until `signal` aborts. */
function holdEventLoop(ms: number, signal: AbortSignal): void {
  if (ms <= 0 || signal.aborted) return;
  const release = (): void => {
    clearTimeout(timer);
    signal.removeEventListener('abort', release);
  };
  const timer = setTimeout(release, ms);
  signal.addEventListener('abort', release, { once: true });
}

/**
 * Whether an error is worth another attempt when the caller does not say: an
 * `IntegrationError` knows (status, idempotency); an open circuit, a deadline or an abort never
 * is; any other error (the seed's "network errors" of arbitrary functions) is.
 */
export function isRetryableByDefault(error: unknown): boolean {
  if (error instanceof IntegrationError) return error.retryable;
  if (error instanceof CircuitOpenError || isBrokenCircuitError(error)) return false;
  if (error instanceof DeadlineExceededError || isTaskCancelledError(error) || isAbortError(error)) return false;
  return true;
}

const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * Runs `fn` until it succeeds, its error is not retryable, or the attempts run out (then the
 * last error is thrown as is). Options override the `network` preset:
 * `withRetry(fn, { ...RetryPresets.aggressive, onRetry })`.
 */
export function withRetry<T>(fn: (context: { attempt: number; signal: AbortSignal }) => PromiseLike<T> | T, options: RetryOptions = {}): Promise<T> {
  const policy = createRetryPolicy(options, options.isRetryable ?? isRetryableByDefault);
  const { onRetry } = options;
  if (onRetry) {
    policy.onRetry((event) => onRetry(event.attempt, 'error' in event ? toError(event.error) : new Error('Retried on a result'), event.delay));
  }
  return runWithinDeadline(
    (signal) =>
      policy.execute((context) => {
        // cockatiel's retry sleeps through an abort and then calls again: stop that call here.
        context.signal.throwIfAborted();
        return fn({ attempt: context.attempt + 1, signal: context.signal });
      }, signal),
    { deadline: options.deadline, signal: options.signal },
  );
}
