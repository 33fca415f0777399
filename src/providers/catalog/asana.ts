import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Asana: the seed's "custom provider" example, declared like the others. The token response
 * carries the user under `data`: https://developers.asana.com/docs/oauth#token-exchange-endpoint
 */
export const asana = {
  id: 'asana',
  name: 'Asana',
  docs: 'https://developers.asana.com/docs/oauth',
  issuer: 'https://app.asana.com',
  authorizationUrl: 'https://app.asana.com/-/oauth_authorize',
  tokenUrl: 'https://app.asana.com/-/oauth_token',
  userinfoUrl: 'https://app.asana.com/api/1.0/openid_connect/userinfo',
  apiBaseUrl: 'https://app.asana.com/api/1.0',
  scopes: [
    { name: 'default', description: 'Full access to the workspaces, projects and tasks the user can see' },
    { name: 'openid', description: 'Identify the connected Asana user' },
    { name: 'email', description: 'See the email address of the connected Asana user' },
    { name: 'profile', description: 'See the name and photo of the connected Asana user' },
  ],
  defaultScopes: ['default'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  revocation: { kind: 'rfc7009', url: 'https://app.asana.com/-/oauth_revoke', authenticateClient: true },
  account: { from: 'token_response', id: 'data.gid', fields: { userGid: 'data.gid', name: 'data.name', email: 'data.email' } },
  // https://developers.asana.com/docs/pagination
  pagination: { style: 'cursor', param: 'offset', nextPath: 'next_page.offset', limitParam: 'limit' },
  // https://developers.asana.com/docs/rate-limits
  rateLimitHeaders: { retryAfter: 'retry-after' },
  subscribableResources: ['{resourceGid}'],
} satisfies ProviderEntryInput;
