import { useSyncExternalStore } from 'react';

/** The UI's three screens, addressed by the URL hash so the server only serves `/`. */
export type Route =
  | { name: 'integrations' }
  | { name: 'activity'; integrationId: string }
  | { name: 'health' };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const activity = /^\/integrations\/([^/]+)\/activity\/?$/.exec(path);
  if (activity?.[1]) return { name: 'activity', integrationId: decodeURIComponent(activity[1]) };
  if (/^\/health\/?$/.test(path)) return { name: 'health' };
  return { name: 'integrations' };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'activity':
      return `#/integrations/${encodeURIComponent(route.integrationId)}/activity`;
    case 'health':
      return '#/health';
    default:
      return '#/';
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash, () => '');
  return parseHash(hash);
}
