import { describe, expect, it } from '@jest/globals';
import type { Principal } from '../../src/auth/principal.js';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache.js';

const START = Date.parse('2026-12-06T10:00:00Z');

function clock() {
  let now = START;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const principal = (expiresInMs: number, organizationId = '7d7e6c52-3f0e-4d55-9a43-52d7f2f1f0a1'): Principal => ({
  userId: 'user-7',
  organizationId,
  roles: ['member'],
  expiresAt: new Date(START + expiresInMs),
});

describe('VerifiedTokenCache', () => {
  it('gives back a verified token’s principal until the TTL ends, then forgets it', () => {
    const time = clock();
    const cache = new VerifiedTokenCache({ ttlMs: 30_000, now: time.now });
    cache.set('token-a', principal(3_600_000));
    time.advance(29_999);
    expect(cache.get('token-a')).toEqual(principal(3_600_000));
    time.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('never holds a token past its own expiry, however long the TTL', () => {
    const time = clock();
    const cache = new VerifiedTokenCache({ ttlMs: 300_000, now: time.now });
    cache.set('token-a', principal(10_000));
    time.advance(9_999);
    expect(cache.get('token-a')).toBeDefined();
    time.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
    // Already at its end when verified: not remembered at all.
    cache.set('token-b', principal(10_000));
    expect(cache.get('token-b')).toBeUndefined();
  });

  it('knows only the exact token it was given', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 30_000 });
    cache.set('aaa.bbb.ccc', principal(3_600_000));
    expect(cache.get('aaa.bbb.ccd')).toBeUndefined();
    expect(cache.get('aaa.bbb.cc')).toBeUndefined();
  });

  it('remembers nothing with a TTL of 0', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 0 });
    cache.set('token-a', principal(3_600_000));
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('holds at most maxEntries tokens, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 30_000, maxEntries: 2, now: clock().now });
    cache.set('token-a', principal(3_600_000));
    cache.set('token-b', principal(3_600_000));
    cache.set('token-c', principal(3_600_000));
    expect([cache.get('token-a'), cache.get('token-b'), cache.get('token-c')].map(Boolean)).toEqual([false, true, true]);
  });

  it('hands out a principal its callers cannot change for the next request', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 30_000, now: clock().now });
    const verified = principal(3_600_000);
    cache.set('token-a', verified);
    (verified.roles as string[]).push('admin');
    const cached = cache.get('token-a')!;
    expect(cached.roles).toEqual(['member']);
    expect(() => (cached.roles as string[]).push('admin')).toThrow(TypeError);
  });
});
