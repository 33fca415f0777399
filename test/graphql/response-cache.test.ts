import { describe, expect, it } from '@jest/globals';
import { ResponseCache } from '../../src/graphql/response-cache.js';

/** The cache's ordering rules, with a controllable clock: what may be stored, served and forgotten. */
function cacheAt(options: { maxBytes?: number; ttlMs?: number } = {}) {
  let now = 1_000;
  const cache = new ResponseCache({ maxBytes: options.maxBytes ?? 1_000, ttlMs: options.ttlMs ?? 10_000, now: () => now });
  return { cache, advance: (ms: number) => void (now += ms) };
}

describe('ResponseCache', () => {
  it('serves what was stored for the same organization and key only', () => {
    const { cache } = cacheAt();
    cache.set('org-a', 'q', { n: 1 }, 10, cache.stamp('org-a'));
    expect(cache.get('org-a', 'q')).toEqual({ n: 1 });
    expect(cache.get('org-b', 'q')).toBeUndefined();
    expect(cache.get('org-a', 'other')).toBeUndefined();
  });

  it('forgets an organization on invalidate, and no other', () => {
    const { cache } = cacheAt();
    cache.set('org-a', 'q', 'a', 10, cache.stamp('org-a'));
    cache.set('org-b', 'q', 'b', 10, cache.stamp('org-b'));
    cache.invalidate('org-a');
    expect(cache.get('org-a', 'q')).toBeUndefined();
    expect(cache.get('org-b', 'q')).toBe('b');
    expect(cache.size).toBe(10);
  });

  it('refuses an answer whose read began before a change of its organization was announced', () => {
    const { cache } = cacheAt();
    const before = cache.stamp('org-a');
    cache.invalidate('org-a'); // a write committed and announced while the read ran
    cache.set('org-a', 'q', 'possibly stale', 10, before);
    expect(cache.get('org-a', 'q')).toBeUndefined();
    // A change of another organization does not matter.
    const other = cache.stamp('org-a');
    cache.invalidate('org-b');
    cache.set('org-a', 'q', 'fresh', 10, other);
    expect(cache.get('org-a', 'q')).toBe('fresh');
  });

  it('refuses every answer stamped before a gap (clear), and serves none from before it', () => {
    const { cache } = cacheAt();
    cache.set('org-a', 'q', 'old', 10, cache.stamp('org-a'));
    const before = cache.stamp('org-b');
    cache.clear();
    expect(cache.get('org-a', 'q')).toBeUndefined();
    cache.set('org-b', 'q', 'stale', 10, before);
    expect(cache.get('org-b', 'q')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stops serving an answer after its time to live', () => {
    const { cache, advance } = cacheAt({ ttlMs: 5_000 });
    cache.set('org-a', 'q', 'x', 10, cache.stamp('org-a'));
    advance(4_999);
    expect(cache.get('org-a', 'q')).toBe('x');
    advance(1);
    expect(cache.get('org-a', 'q')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used answers past its size, and never stores one larger than all of it', () => {
    const { cache } = cacheAt({ maxBytes: 30 });
    cache.set('org', 'a', 'a', 10, cache.stamp('org'));
    cache.set('org', 'b', 'b', 10, cache.stamp('org'));
    cache.set('org', 'c', 'c', 10, cache.stamp('org'));
    expect(cache.get('org', 'a')).toBe('a'); // a is now the most recent
    cache.set('org', 'd', 'd', 10, cache.stamp('org'));
    expect(cache.get('org', 'b')).toBeUndefined();
    expect([cache.get('org', 'a'), cache.get('org', 'c'), cache.get('org', 'd')]).toEqual(['a', 'c', 'd']);
    expect(cache.size).toBe(30);
    cache.set('org', 'huge', 'h', 31, cache.stamp('org'));
    expect(cache.get('org', 'huge')).toBeUndefined();
    expect(cache.size).toBe(30);
  });

  it('replaces an answer stored again under the same key without counting it twice', () => {
    const { cache } = cacheAt();
    cache.set('org', 'q', 'one', 10, cache.stamp('org'));
    cache.set('org', 'q', 'two', 15, cache.stamp('org'));
    expect(cache.get('org', 'q')).toBe('two');
    expect(cache.size).toBe(15);
  });
});
