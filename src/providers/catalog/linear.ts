import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Linear. Scopes are comma-separated (`read` is always granted); PKCE is supported; every app
 * has used short-lived access tokens with refresh tokens since 1 April 2026. The API is GraphQL
 * only, so the account is asked for with a POST: the organization routes webhooks, the viewer is
 * who connected. Disconnecting revokes the token with itself as bearer:
 * https://linear.app/developers/oauth-2-0-authentication#revoke-an-access-token
 * Whether a refresh invalidates the previous refresh token is not documented; a new one, when
 * answered, replaces the stored one either way.
 */
export const linear = {
  id: 'linear',
  name: 'Linear',
  docs: 'https://linear.app/developers/oauth-2-0-authentication',
  authorizationUrl: 'https://linear.app/oauth/authorize',
  tokenUrl: 'https://api.linear.app/oauth/token',
  apiBaseUrl: 'https://api.linear.app',
  scopes: [
    { name: 'read', description: 'Read the workspace’s issues, projects and teams (always granted)' },
    { name: 'write', description: 'Create and change anything the user can' },
    { name: 'issues:create', description: 'Create issues and their attachments' },
    { name: 'comments:create', description: 'Comment on issues' },
    { name: 'admin', description: 'Admin-level endpoints (only when really needed)' },
  ],
  defaultScopes: ['read'],
  scopeSeparator: ',',
  // Shows the consent screen every time, so a user can connect another workspace.
  authorizationParams: { prompt: 'consent' },
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  revocation: { kind: 'bearer-api', url: 'https://api.linear.app/oauth/revoke' },
  account: {
    from: 'request',
    url: 'https://api.linear.app/graphql',
    method: 'POST',
    body: { query: '{ viewer { id name email } organization { id name urlKey } }' },
    id: 'data.organization.id',
    fields: { userId: 'data.viewer.id', email: 'data.viewer.email', organizationName: 'data.organization.name', urlKey: 'data.organization.urlKey' },
  },
  // Relay connections
  pagination: { style: 'cursor', param: 'after', nextPath: 'pageInfo.endCursor', limitParam: 'first' },
  rateLimitHeaders: { limit: 'x-ratelimit-requests-limit', remaining: 'x-ratelimit-requests-remaining', reset: 'x-ratelimit-requests-reset' },
} satisfies ProviderEntryInput;
