import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Dropbox. `token_access_type=offline` is what yields a refresh token; access tokens are
 * short-lived (4 hours) and a refresh answers with a new access token only. PKCE is supported;
 * the client authenticates with HTTP Basic. The API is RPC-style: every call is a POST, the
 * account lookup (`users/get_current_account`, no arguments) included, and revocation is
 * `auth/token/revoke` with the token itself as bearer:
 * https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke
 * Scopes must be among those enabled on the app's Permissions tab.
 */
export const dropbox = {
  id: 'dropbox',
  name: 'Dropbox',
  docs: 'https://developers.dropbox.com/oauth-guide',
  authorizationUrl: 'https://www.dropbox.com/oauth2/authorize',
  tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
  apiBaseUrl: 'https://api.dropboxapi.com/2',
  scopes: [
    { name: 'account_info.read', description: 'See the name, email and account of the connected user' },
    { name: 'files.metadata.read', description: 'See the names and properties of files and folders' },
    { name: 'files.content.read', description: 'Read the content of files' },
    { name: 'files.content.write', description: 'Create, change and delete files and folders' },
    { name: 'sharing.read', description: 'See shared files and folders and their members' },
  ],
  defaultScopes: ['account_info.read', 'files.metadata.read'],
  authorizationParams: { token_access_type: 'offline' },
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_basic',
  revocation: { kind: 'bearer-api', url: 'https://api.dropboxapi.com/2/auth/token/revoke' },
  account: {
    from: 'request',
    url: 'https://api.dropboxapi.com/2/users/get_current_account',
    method: 'POST',
    id: 'account_id',
    fields: { email: 'email', name: 'name.display_name', teamId: 'team.id' },
  },
  // Listings continue at their own `…/continue` endpoint with the `cursor` while `has_more`.
  pagination: { style: 'cursor', param: 'cursor', nextPath: 'cursor', limitParam: 'limit' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
