import { createContext, useContext } from 'react';

/**
 * A call through the service's provider proxy (`/proxy/:integrationId/*path`): the service adds
 * the integration's access token; the caller's token authenticates the caller only.
 */
export type ProviderProxy = (integrationId: string, path: string, init?: { method?: string; body?: unknown }) => Promise<Response>;

export function createProviderProxy(token: string, origin: string): ProviderProxy {
  return (integrationId, path, init = {}) =>
    fetch(new URL(`/proxy/${encodeURIComponent(integrationId)}${path}`, origin), {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
}

/** The signed-in caller's proxy; null outside an authenticated app (nothing to call it with). */
export const ProviderProxyContext = createContext<ProviderProxy | null>(null);

export const useProviderProxy = (): ProviderProxy | null => useContext(ProviderProxyContext);
