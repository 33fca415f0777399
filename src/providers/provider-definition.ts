import type { ProviderId } from './provider-ids.js';

/** One scope a provider offers, as shown to the person choosing what to grant. */
export interface ProviderScope {
  name: string;
  description: string;
}

/** How our client authenticates at the token and revocation endpoints (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * How a provider lets us give tokens back on disconnect.
 * - `rfc7009`: an RFC 7009 revocation endpoint taking `token` (+ client authentication).
 * - `bearer-api`: an API method called with the token itself as bearer (Slack `auth.revoke`).
 * - `none`: the provider has no per-token revocation; disconnect only wipes our copy.
 */
export type RevocationSupport =
  | { kind: 'rfc7009'; url: string; authenticateClient: boolean }
  | { kind: 'bearer-api'; url: string }
  | { kind: 'none'; reason: string };

/**
 * A provider as data. Endpoint URLs may contain `{tenant}` (Microsoft), filled in from
 * configuration by `resolveProvider`. Everything that is not data lives in the provider's
 * quirk module under `oauth/`.
 */
export interface ProviderDefinition {
  id: ProviderId;
  name: string;
  /** The `iss` of the authorization server (RFC 9207 callback parameter and ID tokens). */
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl?: string;
  apiBaseUrl: string;
  revocation: RevocationSupport;
  scopes: readonly ProviderScope[];
  /** Requested when `startConnection` is given no scopes. */
  defaultScopes: readonly string[];
  /** Scopes always added to the request (e.g. Microsoft's `offline_access` for a refresh token). */
  requiredScopes: readonly string[];
  /** RFC 6749 says space; Slack joins with commas. */
  scopeSeparator: ' ' | ',';
  /** Whether to send an S256 code challenge (RFC 7636). */
  pkce: boolean;
  /** Fixed extra parameters of the authorization request. */
  authorizationParams: Readonly<Record<string, string>>;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /**
   * Scopes that a provider grants to the installing user rather than to the app, and expects in
   * a separate authorization parameter (Slack's `user_scope`). Maps the scope to its parameter.
   */
  userScopeParam?: { parameter: string; prefix: string };
  /** Tenant used in `{tenant}` when configuration names none. */
  defaultTenant?: string;
  /**
   * Resources a connection can subscribe to for webhooks, in the provider's own terms; `{name}`
   * stands for one path segment (see src/subscriptions/resource-patterns.ts).
   */
  subscribableResources: readonly string[];
  /** Subscribed on connect and reconnect. */
  defaultSubscriptions: readonly string[];
}
