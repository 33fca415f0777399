import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Atlassian Cloud (Jira and Confluence) with OAuth 2.0 (3LO):
 * - the authorization URL needs `audience=api.atlassian.com` and `prompt=consent`; scopes are
 *   space-separated, and `offline_access` is what yields a refresh token;
 * - the token request is documented as a JSON body with the client id and secret in it;
 * - refresh tokens rotate: each refresh answers with a new one;
 * - the API is reached through `api.atlassian.com/ex/{product}/{cloudId}`, the cloud id read from
 *   the accessible resources right after connecting. A user who granted the app on several sites
 *   gets the first one listed;
 * - there is no revocation endpoint, and PKCE is not documented for 3LO apps, so none is sent.
 * `ATLASSIAN_PRODUCT=confluence` points the API base at Confluence instead of Jira.
 */
export const atlassian = {
  id: 'atlassian',
  name: 'Atlassian (Jira, Confluence)',
  docs: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
  authorizationUrl: 'https://auth.atlassian.com/authorize',
  tokenUrl: 'https://auth.atlassian.com/oauth/token',
  apiBaseUrl: 'https://api.atlassian.com/ex/{product}/{cloudId}',
  configParams: [{ name: 'product', description: 'which product’s API the base URL points at: jira or confluence', default: 'jira', pattern: 'jira|confluence' }],
  scopes: [
    { name: 'read:jira-work', description: 'Read Jira projects, issues and comments' },
    { name: 'write:jira-work', description: 'Create and edit Jira issues and comments' },
    { name: 'read:jira-user', description: 'Read Jira user information' },
    { name: 'manage:jira-webhook', description: 'Register and manage Jira webhooks' },
    { name: 'read:confluence-content.all', description: 'Read all Confluence content' },
    { name: 'write:confluence-content', description: 'Create and edit Confluence pages and blog posts' },
    { name: 'read:me', description: 'Read the connected user’s Atlassian account profile' },
    { name: 'offline_access', description: 'Keep access while the user is away (refresh token)' },
  ],
  defaultScopes: ['read:jira-work', 'read:jira-user', 'read:me', 'offline_access'],
  requiredScopes: ['offline_access'],
  authorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenRequest: { body: 'json' },
  refresh: { rotation: true },
  revocation: { kind: 'none', reason: 'Atlassian has no endpoint to revoke a 3LO token; remove the app at https://id.atlassian.com/manage-profile/apps' },
  account: { from: 'request', url: 'https://api.atlassian.com/oauth/token/accessible-resources', id: '0.id', fields: { siteName: '0.name', siteUrl: '0.url' } },
  learnedParams: [{ name: 'cloudId', from: 'account', path: '0.id', pattern: '[A-Za-z0-9-]{1,64}' }],
  pagination: { style: 'offset', param: 'startAt', limitParam: 'maxResults' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
