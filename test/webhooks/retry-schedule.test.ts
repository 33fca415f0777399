import { describe, expect, it } from '@jest/globals';
import { retryDelayMs, SVIX_RETRY_SCHEDULE_MS } from '../../src/webhooks/retry-schedule.js';

describe('retry schedule', () => {
  const policy = { scheduleMs: SVIX_RETRY_SCHEDULE_MS, jitter: 0.2 };

  it("follows Svix's schedule without jitter at the midpoint", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(policy, attempt, () => 0.5))).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it('stays within ±jitter and repeats the last delay past the end', () => {
    expect(retryDelayMs(policy, 2, () => 0)).toBe(240_000);
    expect(retryDelayMs(policy, 2, () => 0.999999)).toBeLessThanOrEqual(360_000);
    expect(retryDelayMs(policy, 20, () => 0.5)).toBe(36_000_000);
  });
});
