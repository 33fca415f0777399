import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Box. `scope` defaults to everything configured on the app, so none is requested unless the
 * caller picks some. The client id and secret go in the form; access tokens live an hour and a
 * refresh token can be used once, each refresh answering with the next one (60 days). Revocation
 * is `POST /oauth2/revoke` with the client credentials and the token:
 * https://developer.box.com/guides/authentication/tokens/revoke
 * PKCE is not documented for Box, so none is sent.
 */
export const box = {
  id: 'box',
  name: 'Box',
  docs: 'https://developer.box.com/guides/authentication/oauth2/',
  authorizationUrl: 'https://account.box.com/api/oauth2/authorize',
  tokenUrl: 'https://api.box.com/oauth2/token',
  apiBaseUrl: 'https://api.box.com/2.0',
  scopes: [
    { name: 'root_readonly', description: 'Read all files and folders the user can see' },
    { name: 'root_readwrite', description: 'Read and write all files and folders the user can see' },
    { name: 'manage_webhook', description: 'Create and manage webhooks' },
    { name: 'manage_managed_users', description: 'Manage the enterprise’s managed users' },
  ],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  refresh: { rotation: true },
  revocation: { kind: 'rfc7009', url: 'https://api.box.com/oauth2/revoke', authenticateClient: true },
  account: { from: 'request', url: 'https://api.box.com/2.0/users/me', id: 'id', fields: { login: 'login', name: 'name', enterpriseId: 'enterprise.id' } },
  pagination: { style: 'offset', param: 'offset', limitParam: 'limit' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
