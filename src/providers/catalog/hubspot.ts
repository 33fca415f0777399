import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * HubSpot. Scopes are space-separated and every app needs `oauth`; the token request is a form
 * with the client id and secret; access tokens live 30 minutes and the refresh token stays the
 * same. The account (portal) is read from the account-info API, which needs only `oauth`:
 * https://developers.hubspot.com/docs/api-reference/account-account-info-v3/details/get-account-info-v3-details
 * Disconnecting deletes the refresh token named in the URL (`DELETE /oauth/v1/refresh-tokens/{token}`,
 * unauthenticated), which ends the app's access through it.
 * PKCE is not in HubSpot's OAuth documentation, so none is sent.
 */
export const hubspot = {
  id: 'hubspot',
  name: 'HubSpot',
  docs: 'https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide',
  authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
  tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
  apiBaseUrl: 'https://api.hubapi.com',
  scopes: [
    { name: 'oauth', description: 'Basic OAuth access (required by every app)' },
    { name: 'crm.objects.contacts.read', description: 'Read contacts' },
    { name: 'crm.objects.contacts.write', description: 'Create and update contacts' },
    { name: 'crm.objects.companies.read', description: 'Read companies' },
    { name: 'crm.objects.deals.read', description: 'Read deals' },
    { name: 'tickets', description: 'Read and write help desk tickets' },
  ],
  defaultScopes: ['oauth', 'crm.objects.contacts.read'],
  requiredScopes: ['oauth'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  revocation: { kind: 'client-api', method: 'DELETE', url: 'https://api.hubapi.com/oauth/v1/refresh-tokens/{token}', clientAuth: 'none', token: 'refresh_token' },
  account: {
    from: 'request',
    url: 'https://api.hubapi.com/account-info/v3/details',
    id: 'portalId',
    fields: { uiDomain: 'uiDomain', timeZone: 'timeZone', dataHostingLocation: 'dataHostingLocation' },
  },
  pagination: { style: 'cursor', param: 'after', nextPath: 'paging.next.after', limitParam: 'limit' },
  rateLimitHeaders: { limit: 'x-hubspot-ratelimit-max', remaining: 'x-hubspot-ratelimit-remaining' },
} satisfies ProviderEntryInput;
