import { isTaskCancelledError, timeout, TimeoutStrategy } from 'cockatiel';
import { neverAbortedSignal, raceAbort } from './abort.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';

export interface DeadlineOptions {
  /** Overall budget of the call in ms, across attempts and waits. @default none */
  deadline?: number | undefined;
  /** Aborts the call; it then rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `fn` under an overall deadline (cockatiel's aggressive timeout: the caller gets its
 * answer at the deadline even if `fn` is asleep between retries) and the caller's signal.
 * `fn` receives a signal that aborts on either, to cancel in-flight requests.
 *
 * @throws the caller's `signal.reason` when it aborted, {@link DeadlineExceededError} when the
 * deadline passed, else whatever `fn` threw.
 */
export async function runWithinDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, options: DeadlineOptions): Promise<T> {
  const { deadline, signal } = options;
  if (deadline === undefined || !Number.isFinite(deadline)) {
    return signal ? raceAbort(fn(signal), signal) : fn(neverAbortedSignal);
  }
  // abortOnReturn off so that, afterwards, `inner.aborted` still tells whether the deadline fired.
  const policy = timeout(deadline, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  let inner: AbortSignal | undefined;
  try {
    return await policy.execute((context) => {
      inner = context.signal;
      return fn(context.signal);
    }, signal);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (isTaskCancelledError(error) || inner?.aborted) throw new DeadlineExceededError(deadline);
    throw error;
  }
}
