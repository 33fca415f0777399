import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter, retryAfterMs } from '../../src/resilience/index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('Retry-After', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP date, and a past date means now', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores values that are neither', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
  });

  it('falls back to rate-limit reset headers on a 429 only', () => {
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': '15' }), 429, NOW)).toBe(15_000);
    expect(retryAfterMs(new Headers({ 'ratelimit-reset': '2' }), 429, NOW)).toBe(2_000);
    // An epoch time in seconds (GitHub style).
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(NOW / 1000 + 40) }), 429, NOW)).toBe(40_000);
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': '15' }), 503, NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '3', 'x-ratelimit-reset': '15' }), 429, NOW)).toBe(3_000);
    expect(retryAfterMs(new Headers(), 429, NOW)).toBeUndefined();
  });
});
