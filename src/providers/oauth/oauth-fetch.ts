/**
 * How the OAuth module sends a request: `fetch`'s shape, so oauth4webapi can use it as its
 * `customFetch`. The composition root passes one that goes through the provider's circuit
 * breaker; tests may pass plain `fetch` pointed at a loopback server.
 */
export type OAuthFetch = (url: string, init: RequestInit) => Promise<Response>;
