/** Where the UI keeps the bearer token between visits. */
export const TOKEN_STORAGE_KEY = 'integrations.token';

export type TokenSource = 'query' | 'storage' | 'dev-endpoint';

export interface ResolvedToken {
  token: string;
  source: TokenSource;
}

/**
 * Finds the bearer token, in order: a `?token=` query parameter (saved, then removed from the
 * address bar so it is not bookmarked or shared), localStorage, then the development endpoint
 * `GET /auth/dev-token` (404 in production). Resolves to null when none of them has one.
 */
export async function resolveToken(
  location: Pick<Location, 'href'> = window.location,
  storage: Storage = window.localStorage,
  fetchImpl: typeof fetch = window.fetch.bind(window),
): Promise<ResolvedToken | null> {
  const url = new URL(location.href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) {
    storage.setItem(TOKEN_STORAGE_KEY, fromQuery);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
    return { token: fromQuery, source: 'query' };
  }
  const stored = storage.getItem(TOKEN_STORAGE_KEY);
  if (stored) return { token: stored, source: 'storage' };
  try {
    const response = await fetchImpl('/auth/dev-token', { headers: { accept: 'application/json' } });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && 'token' in body && typeof body.token === 'string' && body.token) {
      return { token: body.token, source: 'dev-endpoint' };
    }
  } catch {
    // No server or not JSON: treated as "no token", the UI explains what to do.
  }
  return null;
}

export function saveToken(token: string, storage: Storage = window.localStorage): void {
  storage.setItem(TOKEN_STORAGE_KEY, token);
}

export function forgetToken(storage: Storage = window.localStorage): void {
  storage.removeItem(TOKEN_STORAGE_KEY);
}

/** Reads the JWT's claims for display decisions only (the server verifies the signature). */
export function readClaims(token: string): { sub?: string; roles?: string[] } {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    if (!claims || typeof claims !== 'object') return {};
    const record = claims as Record<string, unknown>;
    return {
      sub: typeof record.sub === 'string' ? record.sub : undefined,
      roles: Array.isArray(record.roles) ? record.roles.filter((r): r is string => typeof r === 'string') : undefined,
    };
  } catch {
    return {};
  }
}
