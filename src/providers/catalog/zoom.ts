import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Zoom (user-authorized OAuth app). Scopes are chosen on the app in the Marketplace, so the
 * authorization request carries none; the client authenticates with HTTP Basic; access tokens
 * live an hour and each refresh answers with a new refresh token, which replaces the old one.
 * PKCE is supported. Revocation is `POST /oauth/revoke` with the token, authenticated as the
 * client. The Zoom account id routes webhooks (event payloads carry `account_id`).
 */
export const zoom = {
  id: 'zoom',
  name: 'Zoom',
  docs: 'https://developers.zoom.us/docs/integrations/oauth/',
  authorizationUrl: 'https://zoom.us/oauth/authorize',
  tokenUrl: 'https://zoom.us/oauth/token',
  apiBaseUrl: 'https://api.zoom.us/v2',
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { rotation: true },
  revocation: { kind: 'rfc7009', url: 'https://zoom.us/oauth/revoke', authenticateClient: true },
  account: { from: 'request', url: 'https://api.zoom.us/v2/users/me', id: 'account_id', fields: { userId: 'id', email: 'email' } },
  pagination: { style: 'cursor', param: 'next_page_token', nextPath: 'next_page_token', limitParam: 'page_size' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
