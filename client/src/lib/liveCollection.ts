import { useEffect, useMemo, useRef, useState } from 'react';

/** An item pushed by a subscription: `version` grows with every change of the row it shows. */
export interface Versioned {
  id: string;
  version: number;
}

/**
 * What a subscription has delivered so far: the newest version of each item, numbered in
 * arrival order. Built by `recordLiveItem` inside a `useSubscription` handler (which must be pure).
 */
export interface LiveLog<T> {
  seq: number;
  latest: ReadonlyMap<string, { item: T; seq: number }>;
}

/**
 * Records a pushed item, unless it is no newer than the one already recorded: messages about one
 * row can arrive out of order (they come from different server instances), and the screen must
 * never step back to an older state. An ignored item leaves the log as it was.
 */
export function recordLiveItem<T extends Versioned>(prev: LiveLog<T> | undefined, item: T): LiveLog<T> {
  const recorded = prev?.latest.get(item.id);
  if (prev && recorded && recorded.item.version >= item.version) return prev;
  const seq = (prev?.seq ?? 0) + 1;
  const latest = new Map(prev?.latest);
  latest.set(item.id, { item, seq });
  return { seq, latest };
}

/** The newer of two copies of one item (the first when they are the same version). */
const newer = <T extends Versioned>(a: T, b: T | undefined): T => (b && b.version > a.version ? b : a);

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
 * counts, order and anything the push did not carry catch up. Of an item's copy in the list and
 * its pushed copy, the higher version shows, whichever arrived last; items pushed after the list
 * was requested and missing from it are added until the next refetch.
 */
export function useLiveList<T extends Versioned>(
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
    const merged = base.map((item) => newer(item, live?.latest.get(item.id)?.item));
    const known = new Set(base.map((item) => item.id));
    const added = [...fresh.values()].filter((item) => !known.has(item.id));
    if (newItems === 'prepend') added.reverse();
    return newItems === 'prepend' ? [...added, ...merged] : [...merged, ...added];
  }, [base, live, baseSeq, newItems]);
}
