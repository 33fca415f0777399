const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * When to renew a subscription that lapses at `expiresAt`: a fifth of its lifetime before, at
 * most a day (a week-long Graph subscription or Google channel is renewed a day ahead), at least
 * a minute unless the lifetime is shorter than two. Early enough that a provider outage of hours
 * does not let it lapse, late enough that renewals stay rare.
 */
export function renewalTime(now: Date, expiresAt: Date): Date {
  const lifetime = Math.max(0, expiresAt.getTime() - now.getTime());
  const margin = Math.min(DAY, Math.max(lifetime * 0.2, Math.min(lifetime * 0.5, MINUTE)));
  return new Date(expiresAt.getTime() - margin);
}

/**
 * The wait before attempt `attempts + 1` of a failing action: exponential from `baseMs`, capped
 * at `maxMs`, with ±20 % jitter so subscriptions failing together do not retry together; never
 * sooner than the provider's Retry-After.
 */
export function retryDelay(attempts: number, baseMs: number, maxMs: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.max(Math.round(Math.min(maxMs, jittered)), retryAfterMs);
}
