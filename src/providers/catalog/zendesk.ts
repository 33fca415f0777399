import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Zendesk, on the customer's own subdomain (asked of the user when connecting). PKCE is
 * supported; the token request is JSON with the client id and secret. Without `expires_in` in the
 * request (we send none) the access token does not expire, but a refresh token is issued anyway,
 * and a refresh invalidates the previous pair:
 * https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
 * Disconnecting deletes the token with itself as bearer (`DELETE /api/v2/oauth/tokens/current`).
 */
export const zendesk = {
  id: 'zendesk',
  name: 'Zendesk',
  docs: 'https://developer.zendesk.com/documentation/ticketing/working-with-oauth/creating-and-using-oauth-tokens-with-the-api/',
  authorizationUrl: 'https://{subdomain}.zendesk.com/oauth/authorizations/new',
  tokenUrl: 'https://{subdomain}.zendesk.com/oauth/tokens',
  apiBaseUrl: 'https://{subdomain}.zendesk.com/api/v2',
  connectionParams: [{ name: 'subdomain', description: 'Your Zendesk subdomain (acme in acme.zendesk.com)', pattern: '[a-z0-9][a-z0-9-]{0,62}', example: 'acme' }],
  scopes: [
    { name: 'read', description: 'Read tickets, users, organizations and everything else' },
    { name: 'write', description: 'Create, change and delete them' },
    { name: 'tickets:read', description: 'Read tickets only' },
    { name: 'tickets:write', description: 'Create and update tickets only' },
    { name: 'users:read', description: 'Read users only' },
  ],
  defaultScopes: ['read'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenRequest: { body: 'json' },
  tokenResponse: { expires: false },
  refresh: { rotation: true },
  revocation: { kind: 'bearer-api', method: 'DELETE', url: 'https://{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json' },
  account: { from: 'request', url: 'https://{subdomain}.zendesk.com/api/v2/users/me.json', id: 'user.id', fields: { email: 'user.email', role: 'user.role' } },
  pagination: { style: 'next-url', nextPath: 'links.next', limitParam: 'page[size]' },
  rateLimitHeaders: { limit: 'x-rate-limit', remaining: 'x-rate-limit-remaining', retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
