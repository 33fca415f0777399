import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Webex (integrations). Scopes are space-separated; the client id and secret go in the form.
 * Access tokens last 14 days and a refresh token that keeps being used lives on (the refresh
 * answer extends it). Revoking a token takes the admin-only authorizations API
 * (https://developer.webex.com/docs/api/v1/authorizations), which a user's integration cannot
 * call, so disconnecting only forgets the tokens. PKCE is not in the integrations guide, so none
 * is sent. The person's organization routes webhooks.
 */
export const webex = {
  id: 'webex',
  name: 'Webex',
  docs: 'https://developer.webex.com/docs/integrations',
  authorizationUrl: 'https://webexapis.com/v1/authorize',
  tokenUrl: 'https://webexapis.com/v1/access_token',
  apiBaseUrl: 'https://webexapis.com/v1',
  scopes: [
    { name: 'spark:people_read', description: 'Read the user’s profile and the people in their organization' },
    { name: 'spark:rooms_read', description: 'List the user’s spaces' },
    { name: 'spark:messages_read', description: 'Read messages in the user’s spaces' },
    { name: 'spark:messages_write', description: 'Post messages as the user' },
    { name: 'meeting:schedules_read', description: 'Read the user’s scheduled meetings' },
  ],
  defaultScopes: ['spark:people_read', 'spark:rooms_read', 'spark:messages_read'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  revocation: { kind: 'none', reason: 'Webex lets only organization admins revoke an integration’s tokens; the user removes the integration in their Webex settings' },
  account: { from: 'request', url: 'https://webexapis.com/v1/people/me', id: 'orgId', fields: { personId: 'id', email: 'emails.0', displayName: 'displayName' } },
  pagination: { style: 'link-header', limitParam: 'max' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
