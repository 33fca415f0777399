import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { resolveToken, TOKEN_STORAGE_KEY, readClaims } from '../auth/token';
import { LIVE_REFETCH_DELAY_MS, recordLiveItem, useLiveList, type LiveLog } from './liveCollection';
import { parseHash, hrefFor } from './router';
import { formatRelative } from './time';

type Item = { id: string; version: number };

describe('useLiveList', () => {
  it('shows pushes at once, refetches once per burst, and keeps pushes newer than the list', () => {
    vi.useFakeTimers();
    try {
      const refetch = vi.fn();
      const first: Item[] = [{ id: 'a', version: 1 }];
      let live: LiveLog<Item> | undefined;
      const { result, rerender } = renderHook(({ base, log }) => useLiveList(base, log, refetch), {
        initialProps: { base: first as Item[] | undefined, log: live },
      });
      expect(result.current).toEqual([{ id: 'a', version: 1 }]);

      live = recordLiveItem(live, { id: 'a', version: 2 });
      rerender({ base: first, log: live });
      live = recordLiveItem(live, { id: 'b', version: 1 });
      rerender({ base: first, log: live });
      expect(result.current).toEqual([{ id: 'a', version: 2 }, { id: 'b', version: 1 }]);
      expect(refetch).not.toHaveBeenCalled();

      act(() => vi.advanceTimersByTime(LIVE_REFETCH_DELAY_MS));
      expect(refetch).toHaveBeenCalledTimes(1);

      // Pushed after the refetch was sent: the list that comes back may not include it.
      live = recordLiveItem(live, { id: 'a', version: 3 });
      rerender({ base: first, log: live });
      const second: Item[] = [{ id: 'a', version: 2 }, { id: 'b', version: 1 }];
      rerender({ base: second, log: live });
      expect(result.current).toEqual([{ id: 'a', version: 3 }, { id: 'b', version: 1 }]);

      act(() => vi.advanceTimersByTime(LIVE_REFETCH_DELAY_MS));
      expect(refetch).toHaveBeenCalledTimes(2);
      const third: Item[] = [{ id: 'a', version: 4 }, { id: 'b', version: 1 }];
      rerender({ base: third, log: live });
      expect(result.current).toEqual(third);

      act(() => vi.advanceTimersByTime(10 * LIVE_REFETCH_DELAY_MS));
      expect(refetch).toHaveBeenCalledTimes(2); // no events, no requests
    } finally {
      vi.useRealTimers();
    }
  });

  it('never steps an item back: an older push, or a list older than a push, is ignored', () => {
    vi.useFakeTimers();
    try {
      const refetch = vi.fn();
      const first: Item[] = [{ id: 'a', version: 1 }];
      let live: LiveLog<Item> | undefined;
      const { result, rerender } = renderHook(({ base, log }) => useLiveList(base, log, refetch), {
        initialProps: { base: first as Item[] | undefined, log: live },
      });
      // PROCESSING (version 2) overtook PENDING (version 1) on the way: PENDING must not show after it.
      live = recordLiveItem(live, { id: 'a', version: 2 });
      const afterProcessing = live;
      live = recordLiveItem(live, { id: 'a', version: 1 });
      expect(live).toBe(afterProcessing);
      rerender({ base: first, log: live });
      expect(result.current).toEqual([{ id: 'a', version: 2 }]);

      // The refetch goes out after COMPLETED (version 3) arrived, but its answer is older (a
      // cached answer can lag a commit by the time the message takes).
      live = recordLiveItem(live, { id: 'a', version: 3 });
      rerender({ base: first, log: live });
      act(() => vi.advanceTimersByTime(LIVE_REFETCH_DELAY_MS));
      expect(refetch).toHaveBeenCalledTimes(1);
      rerender({ base: [{ id: 'a', version: 2 }], log: live });
      expect(result.current).toEqual([{ id: 'a', version: 3 }]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('resolveToken', () => {
  const fetchNever = vi.fn(async () => new Response('', { status: 404 }));

  it('takes ?token=, stores it and removes it from the address bar', async () => {
    window.history.replaceState(null, '', '/?token=abc.def.ghi#/health');
    const resolved = await resolveToken(window.location, window.localStorage, fetchNever);
    expect(resolved).toEqual({ token: 'abc.def.ghi', source: 'query' });
    expect(window.localStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc.def.ghi');
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe('#/health');
  });

  it('then localStorage, then the development endpoint', async () => {
    window.localStorage.setItem(TOKEN_STORAGE_KEY, 'stored');
    expect(await resolveToken(window.location, window.localStorage, fetchNever)).toEqual({ token: 'stored', source: 'storage' });
    window.localStorage.clear();
    const devFetch = vi.fn(async () => Response.json({ token: 'dev' }));
    expect(await resolveToken(window.location, window.localStorage, devFetch)).toEqual({ token: 'dev', source: 'dev-endpoint' });
    expect(devFetch).toHaveBeenCalledWith('/auth/dev-token', expect.anything());
  });

  it('is null when nothing has a token (404 in production)', async () => {
    expect(await resolveToken(window.location, window.localStorage, fetchNever)).toBeNull();
  });

  it('reads roles from the JWT payload for display', () => {
    const payload = btoa(JSON.stringify({ sub: 'u1', roles: ['admin'] })).replace(/=+$/, '');
    expect(readClaims(`x.${payload}.y`)).toEqual({ sub: 'u1', roles: ['admin'] });
    expect(readClaims('garbage')).toEqual({});
  });
});

describe('router and time', () => {
  it('round-trips routes through the hash', () => {
    expect(parseHash(hrefFor({ name: 'activity', integrationId: 'a/b' }))).toEqual({ name: 'activity', integrationId: 'a/b' });
    expect(parseHash('#/health')).toEqual({ name: 'health' });
    expect(parseHash('')).toEqual({ name: 'integrations' });
  });

  it('formats relative times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-01-01T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2025-12-31T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('2026-01-01T14:00:00Z', now)).toBe('in 2 hours');
  });
});
