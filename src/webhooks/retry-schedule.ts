/**
 * Delays before each retry, after the first attempt fails. Svix's schedule
 * (https://docs.svix.com/retries): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h —
 * eight attempts over about 28 hours.
 */
export const SVIX_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface RetryPolicy {
  /** Delay before attempt n+2, indexed by n (attempt 1 failed → `scheduleMs[0]`). Past its end the last entry repeats. */
  scheduleMs: readonly number[];
  /**
   * Fraction of each delay drawn at random, so a burst of failures (a provider outage) does
   * not retry in lockstep. @default 0.2
   */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { scheduleMs: SVIX_RETRY_SCHEDULE_MS, jitter: 0.2 };

/** Milliseconds to wait after failed attempt number `attempt` (1-based), jittered by ± `jitter`. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const schedule = policy.scheduleMs;
  const base = schedule[Math.min(Math.max(attempt - 1, 0), schedule.length - 1)] ?? 0;
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
