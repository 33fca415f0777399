import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Pipedrive. Scopes are chosen on the app (none requested); the client authenticates with HTTP
 * Basic; no PKCE. Access tokens live about an hour. The answer's `api_domain` is the company's
 * own API host, which opens the API base and the account lookup; its scopes come back
 * comma-separated. Revocation is RFC 7009 at `oauth.pipedrive.com/oauth/revoke`, authenticated as
 * the client. The company id routes webhooks.
 */
export const pipedrive = {
  id: 'pipedrive',
  name: 'Pipedrive',
  docs: 'https://pipedrive.readme.io/docs/marketplace-oauth-authorization',
  authorizationUrl: 'https://oauth.pipedrive.com/oauth/authorize',
  tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
  apiBaseUrl: '{apiDomain}/api/v1',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  tokenResponse: { scopeSeparator: ',' },
  revocation: { kind: 'rfc7009', url: 'https://oauth.pipedrive.com/oauth/revoke', authenticateClient: true },
  learnedParams: [{ name: 'apiDomain', from: 'token_response', path: 'api_domain', pattern: 'https?://[A-Za-z0-9.:-]+' }],
  account: {
    from: 'request',
    url: '{apiDomain}/api/v1/users/me',
    id: 'data.company_id',
    fields: { userId: 'data.id', email: 'data.email', companyDomain: 'data.company_domain' },
  },
  pagination: { style: 'offset', param: 'start', nextPath: 'additional_data.pagination.next_start', limitParam: 'limit' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
