import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Microsoft identity platform v2 + Microsoft Graph. The tenant is part of every endpoint path
 * (`common`, `organizations`, `consumers`, a tenant id or a domain), from `MICROSOFT_TENANT`.
 * `offline_access` is what yields a refresh token; each refresh answers with a new one.
 * Microsoft has no endpoint to revoke a single OAuth grant or refresh token (only Graph's
 * `revokeSignInSessions`, which signs the user out of everything), so disconnecting wipes our
 * tokens and the grant stays listed under the user's "My Apps" until they remove it there.
 * The multi-tenant ID token issuer is the one thing data cannot say: see
 * oauth/microsoft-id-token-issuer.ts.
 */
export const microsoft = {
  id: 'microsoft',
  name: 'Microsoft 365',
  docs: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow',
  issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
  authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  userinfoUrl: 'https://graph.microsoft.com/oidc/userinfo',
  apiBaseUrl: 'https://graph.microsoft.com/v1.0',
  configParams: [
    {
      name: 'tenant',
      description: 'the Microsoft Entra tenant: common, organizations, consumers, a tenant id or a domain',
      default: 'common',
      pattern: '[A-Za-z0-9.-]{1,100}',
    },
  ],
  scopes: [
    { name: 'openid', description: 'Sign the user in' },
    { name: 'email', description: 'See the email address of the connected account' },
    { name: 'profile', description: 'See basic profile information of the connected account' },
    { name: 'offline_access', description: 'Keep access while the user is away (refresh token)' },
    { name: 'User.Read', description: 'Read the signed-in user’s profile' },
    { name: 'Calendars.ReadWrite', description: 'Read and write the user’s calendars' },
    { name: 'Mail.Send', description: 'Send mail as the user' },
    { name: 'Team.ReadBasic.All', description: 'Read the names and descriptions of the user’s teams' },
    { name: 'Channel.ReadBasic.All', description: 'Read the names and descriptions of channels' },
    { name: 'ChannelMessage.Send', description: 'Send channel messages as the user' },
  ],
  defaultScopes: [
    'openid',
    'email',
    'profile',
    'offline_access',
    'User.Read',
    'Calendars.ReadWrite',
    'Mail.Send',
    'Team.ReadBasic.All',
    'Channel.ReadBasic.All',
    'ChannelMessage.Send',
  ],
  requiredScopes: ['offline_access'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  authorizationParams: { response_mode: 'query' },
  refresh: { rotation: true },
  revocation: {
    kind: 'none',
    reason: 'Microsoft identity platform has no per-grant token revocation endpoint; remove the app at https://myapps.microsoft.com',
  },
  // https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
  account: {
    from: 'id_token',
    id: 'tid',
    fields: { tenantId: 'tid', email: ['email', 'preferred_username'], name: 'name', objectId: 'oid' },
  },
  // https://learn.microsoft.com/en-us/graph/paging
  pagination: { style: 'next-url', nextPath: '@odata.nextLink', limitParam: '$top' },
  // https://learn.microsoft.com/en-us/graph/throttling
  rateLimitHeaders: { retryAfter: 'retry-after' },
  subscribableResources: ['/me/events', '/me/messages', "/me/mailFolders('{folderId}')/messages", '/teams/{teamId}/channels/{channelId}/messages'],
  defaultSubscriptions: ['/me/events'],
} satisfies ProviderEntryInput;
