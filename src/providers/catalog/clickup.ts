import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * ClickUp. The user picks the workspaces at consent (no scopes, no PKCE); the code is exchanged
 * by a POST whose client id, secret and code are query parameters; the token never expires and
 * comes without a refresh token, and ClickUp has no revocation endpoint. API calls take the
 * bare token in `Authorization`.
 */
export const clickup = {
  id: 'clickup',
  name: 'ClickUp',
  docs: 'https://developer.clickup.com/docs/authentication',
  authorizationUrl: 'https://app.clickup.com/api',
  tokenUrl: 'https://api.clickup.com/api/v2/oauth/token',
  apiBaseUrl: 'https://api.clickup.com/api/v2',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenRequest: { body: 'query' },
  tokenResponse: { expires: false },
  refresh: { supported: false },
  revocation: { kind: 'none', reason: 'ClickUp has no endpoint to revoke an OAuth token; remove the app in ClickUp under Settings › Apps' },
  account: { from: 'request', url: 'https://api.clickup.com/api/v2/user', id: 'user.id', fields: { username: 'user.username', email: 'user.email' } },
  apiAuthorization: { prefix: '' },
  pagination: { style: 'page', param: 'page' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
