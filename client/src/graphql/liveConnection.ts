import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';

export type LiveConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** The subscription socket's state, so the page can say when live updates are not flowing. */
export interface LiveConnection {
  get(): LiveConnectionState;
  subscribe(listener: () => void): () => void;
}

export function createLiveConnection(): LiveConnection & { set(state: LiveConnectionState): void } {
  let state: LiveConnectionState = 'connecting';
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const LiveConnectionContext = createContext<LiveConnection | null>(null);

const ALWAYS_CONNECTED: LiveConnection = { get: () => 'connected', subscribe: () => () => undefined };

/** 'connected' when no socket is provided (tests, or a transport without one). */
export function useLiveConnectionState(): LiveConnectionState {
  const connection = useContext(LiveConnectionContext) ?? ALWAYS_CONNECTED;
  return useSyncExternalStore(connection.subscribe, connection.get, connection.get);
}

/**
 * Runs `refetch` when the socket comes back after a drop: events published while it was down
 * were never delivered, so the page asks for the current state once instead of polling.
 */
export function useRefetchOnReconnect(refetch: () => void): void {
  const state = useLiveConnectionState();
  const previous = useRef(state);
  const latestRefetch = useRef(refetch);
  useEffect(() => {
    latestRefetch.current = refetch;
  });
  useEffect(() => {
    if (previous.current === 'reconnecting' && state === 'connected') latestRefetch.current();
    previous.current = state;
  }, [state]);
}
