import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * monday.com. Scopes are space-separated; the code is exchanged with the client id and secret;
 * tokens never expire and come without a refresh token; there is no revocation endpoint (access
 * ends when the app is uninstalled). The API is GraphQL only and takes the bare token in
 * `Authorization`, so the account is asked for with a POST; the account id routes webhooks.
 * PKCE is not documented for monday.com, so none is sent.
 */
export const monday = {
  id: 'monday',
  name: 'monday.com',
  docs: 'https://developer.monday.com/apps/docs/oauth',
  authorizationUrl: 'https://auth.monday.com/oauth2/authorize',
  tokenUrl: 'https://auth.monday.com/oauth2/token',
  apiBaseUrl: 'https://api.monday.com/v2',
  scopes: [
    { name: 'me:read', description: 'Read the connected user’s profile' },
    { name: 'boards:read', description: 'Read boards and their items the user can see' },
    { name: 'boards:write', description: 'Create and change boards and items' },
    { name: 'workspaces:read', description: 'Read workspaces' },
    { name: 'users:read', description: 'Read the account’s users' },
    { name: 'account:read', description: 'Read the account’s information' },
    { name: 'webhooks:write', description: 'Create and delete webhooks' },
  ],
  defaultScopes: ['me:read', 'boards:read'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { expires: false },
  refresh: { supported: false },
  revocation: { kind: 'none', reason: 'monday.com tokens stay valid until the app is uninstalled from the account (Administration › Apps)' },
  account: {
    from: 'request',
    url: 'https://api.monday.com/v2',
    method: 'POST',
    body: { query: '{ me { id email account { id slug } } }' },
    id: 'data.me.account.id',
    fields: { userId: 'data.me.id', email: 'data.me.email', accountSlug: 'data.me.account.slug' },
  },
  apiAuthorization: { prefix: '' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
