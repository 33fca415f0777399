import { useEffect, useMemo, useRef, useState } from 'react';

/**
 * What a subscription has delivered so far: the latest version of each item, numbered in
 * arrival order. Built by `recordLiveItem` inside a `useSubscription` handler (which must be pure).
 */
export interface LiveLog<T> {
  seq: number;
  latest: ReadonlyMap<string, { item: T; seq: number }>;
}

export function recordLiveItem<T extends { id: string }>(prev: LiveLog<T> | undefined, item: T): LiveLog<T> {
  const seq = (prev?.seq ?? 0) + 1;
  const latest = new Map(prev?.latest);
  latest.set(item.id, { item, seq });
  return { seq, latest };
}

/** Counts events, for subscriptions whose payload is only a signal to refetch. */
export function countEvents(prev: number | undefined): number {
  return (prev ?? 0) + 1;
}

/** How long after a pushed event the query behind it is refetched; bursts share one refetch. */
export const LIVE_REFETCH_DELAY_MS = 400;

/**
 * Refetches once after events arrive (at most once per `delayMs`, trailing), never on a timer of
 * its own: no events, no requests. Returns a ref holding the event count at the last refetch.
 */
export function useRefetchAfterEvents(seq: number, refetch: () => void, delayMs = LIVE_REFETCH_DELAY_MS) {
  const issuedAt = useRef(0);
  const latestSeq = useRef(seq);
  const latestRefetch = useRef(refetch);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    latestSeq.current = seq;
    latestRefetch.current = refetch;
  });
  useEffect(() => {
    if (seq <= issuedAt.current || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      issuedAt.current = latestSeq.current;
      latestRefetch.current();
    }, delayMs);
  }, [seq, delayMs]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return issuedAt;
}

/**
 * A query's list kept live by a subscription, without a normalised cache: pushed items show at
 * once over the list, and the query is refetched shortly after (`useRefetchAfterEvents`) so
 * counts, order and anything the push did not carry catch up. A list that arrives replaces the
 * pushes made before its request was sent; later ones stay on top until the next refetch.
 */
export function useLiveList<T extends { id: string }>(
  base: readonly T[] | undefined,
  live: LiveLog<T> | undefined,
  refetch: () => void,
  newItems: 'append' | 'prepend' = 'append',
): T[] | undefined {
  const liveSeq = live?.seq ?? 0;
  const issuedAt = useRefetchAfterEvents(liveSeq, refetch);
  const [seen, setSeen] = useState<{ base: readonly T[] | undefined; seq: number }>({ base, seq: 0 });
  let baseSeq = seen.seq;
  if (seen.base !== base) {
    // The list was requested when `issuedAt` events had been seen: it may miss later ones.
    baseSeq = Math.min(issuedAt.current, liveSeq);
    setSeen({ base, seq: baseSeq });
  }

  return useMemo(() => {
    const fresh = new Map<string, T>();
    for (const [id, entry] of live?.latest ?? []) if (entry.seq > baseSeq) fresh.set(id, entry.item);
    if (!base) return fresh.size > 0 ? [...fresh.values()] : undefined;
    const merged = base.map((item) => fresh.get(item.id) ?? item);
    const known = new Set(base.map((item) => item.id));
    const added = [...fresh.values()].filter((item) => !known.has(item.id));
    if (newItems === 'prepend') added.reverse();
    return newItems === 'prepend' ? [...added, ...merged] : [...merged, ...added];
  }, [base, live, baseSeq, newItems]);
}
