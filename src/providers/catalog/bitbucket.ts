import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Bitbucket Cloud. The consumer's permissions are its scopes (set on the OAuth consumer, not
 * asked for per request), the client authenticates with HTTP Basic (`curl -u client_id:secret`),
 * and access tokens live 2 hours. Since 4 May 2026 each refresh answers with a new refresh token
 * (consumers must rotate) and the answer names its grants `scope`, not `scopes`:
 * https://community.developer.atlassian.com/t/oauth-2-0-and-api-authentication-changes-for-bitbucket-cloud/99003
 * PKCE is not documented for Bitbucket Cloud, so none is sent.
 */
export const bitbucket = {
  id: 'bitbucket',
  name: 'Bitbucket',
  docs: 'https://developer.atlassian.com/cloud/bitbucket/oauth-2/',
  authorizationUrl: 'https://bitbucket.org/site/oauth2/authorize',
  tokenUrl: 'https://bitbucket.org/site/oauth2/access_token',
  apiBaseUrl: 'https://api.bitbucket.org/2.0',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  refresh: { rotation: true },
  revocation: {
    kind: 'none',
    reason: 'Bitbucket Cloud has no endpoint to revoke an OAuth token; remove the app under Personal settings › App authorizations (https://bitbucket.org/account/settings/app-authorizations/)',
  },
  account: { from: 'request', url: 'https://api.bitbucket.org/2.0/user', id: 'uuid', fields: { username: 'username', name: 'display_name', accountId: 'account_id' } },
  pagination: { style: 'next-url', nextPath: 'next', limitParam: 'pagelen' },
} satisfies ProviderEntryInput;
