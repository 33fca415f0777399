import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Calendly (API v2). Scopes are chosen on the app, so the authorization request names none;
 * PKCE is recommended (and not enforced for web apps); the client id and secret go in the form.
 * Access tokens live 2 hours and a refresh token lasts until it is used, each refresh answering
 * with the next one. The answer names the user (`owner`) and the organization, both as API URIs;
 * the organization routes webhooks. Revocation is RFC 7009 at `auth.calendly.com/oauth/revoke`
 * with the client credentials.
 */
export const calendly = {
  id: 'calendly',
  name: 'Calendly',
  docs: 'https://developer.calendly.com/how-to-access-calendly-data-on-behalf-of-authenticated-users',
  authorizationUrl: 'https://auth.calendly.com/oauth/authorize',
  tokenUrl: 'https://auth.calendly.com/oauth/token',
  // Not OpenID Connect: the current user, what a connection test calls.
  userinfoUrl: 'https://api.calendly.com/users/me',
  apiBaseUrl: 'https://api.calendly.com',
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  refresh: { rotation: true },
  revocation: { kind: 'rfc7009', url: 'https://auth.calendly.com/oauth/revoke', authenticateClient: true },
  account: { from: 'token_response', id: 'organization', fields: { owner: 'owner' } },
  // List endpoints page with `page_token` and `count`.
  pagination: { style: 'cursor', param: 'page_token', nextPath: 'pagination.next_page_token', limitParam: 'count' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
