import type { ProviderDefinition } from './provider-definition.js';
import { PROVIDER_IDS, type ProviderId } from './provider-ids.js';

/**
 * Google Workspace. `access_type=offline` gets a refresh token, `prompt=consent` makes Google
 * send one again on reconnect (it only does so on consent), and `include_granted_scopes`
 * enables incremental authorization.
 * https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 */
const google = {
  id: 'google',
  name: 'Google Workspace',
  issuer: 'https://accounts.google.com',
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  apiBaseUrl: 'https://www.googleapis.com',
  // https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
  revocation: { kind: 'rfc7009', url: 'https://oauth2.googleapis.com/revoke', authenticateClient: false },
  scopes: [
    { name: 'openid', description: 'Identify the connected Google account' },
    { name: 'https://www.googleapis.com/auth/userinfo.email', description: 'See the email address of the connected account' },
    { name: 'https://www.googleapis.com/auth/userinfo.profile', description: 'See the name and picture of the connected account' },
    { name: 'https://www.googleapis.com/auth/calendar', description: 'See, edit, share and delete Google Calendar calendars and events' },
    { name: 'https://www.googleapis.com/auth/drive', description: 'See, edit, create and delete Google Drive files and folders' },
    { name: 'https://www.googleapis.com/auth/gmail.send', description: 'Send email on the account holder’s behalf' },
  ],
  defaultScopes: [
    'openid',
    'https://www.googleapis.com/auth/userinfo.email',
    'https://www.googleapis.com/auth/userinfo.profile',
    'https://www.googleapis.com/auth/calendar',
    'https://www.googleapis.com/auth/drive',
    'https://www.googleapis.com/auth/gmail.send',
  ],
  requiredScopes: [],
  scopeSeparator: ' ',
  pkce: true,
  authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  tokenEndpointAuthMethod: 'client_secret_post',
  subscribableResources: ['calendar/{calendarId}', 'drive/changes', 'gmail/{labelId}'],
  defaultSubscriptions: ['calendar/primary'],
} satisfies ProviderDefinition;

/**
 * Slack (OAuth v2, "granular bot permissions"). Scopes are comma-separated; scopes for the
 * installing user go in `user_scope` (ask for them with a `user:` prefix). Slack accepts
 * PKCE only after the app is switched to a public client, which cannot be undone, so this
 * confidential server client does not send it: https://docs.slack.dev/authentication/using-pkce
 * https://docs.slack.dev/authentication/installing-with-oauth
 */
const slack = {
  id: 'slack',
  name: 'Slack',
  issuer: 'https://slack.com',
  authorizationUrl: 'https://slack.com/oauth/v2/authorize',
  tokenUrl: 'https://slack.com/api/oauth.v2.access',
  apiBaseUrl: 'https://slack.com/api',
  // https://docs.slack.dev/reference/methods/auth.revoke
  revocation: { kind: 'bearer-api', url: 'https://slack.com/api/auth.revoke' },
  scopes: [
    { name: 'chat:write', description: 'Send messages as the app' },
    { name: 'channels:read', description: 'View basic information about public channels' },
    { name: 'channels:write', description: 'Create and manage public channels' },
    { name: 'users:read', description: 'View people in the workspace' },
    { name: 'files:write', description: 'Upload, edit and delete files as the app' },
    { name: 'user:chat:write', description: 'Send messages as the installing user' },
    { name: 'user:search:read', description: 'Search the workspace’s content as the installing user' },
  ],
  defaultScopes: ['chat:write', 'channels:read', 'channels:write', 'users:read', 'files:write'],
  requiredScopes: [],
  scopeSeparator: ',',
  pkce: false,
  authorizationParams: {},
  // oauth.v2.access: "avoid sending client_id and client_secret as parameters … use HTTP Basic".
  tokenEndpointAuthMethod: 'client_secret_basic',
  userScopeParam: { parameter: 'user_scope', prefix: 'user:' },
  // The Events API is configured once for the app; there is nothing to subscribe to per connection.
  subscribableResources: [],
  defaultSubscriptions: [],
} satisfies ProviderDefinition;

/**
 * Microsoft identity platform v2 + Microsoft Graph. The tenant is part of every endpoint path
 * (`common`, `organizations`, or a tenant id). `offline_access` is what yields a refresh token:
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * Microsoft has no endpoint to revoke a single OAuth grant or refresh token (only Graph's
 * `revokeSignInSessions`, which signs the user out of everything), so disconnecting wipes our
 * tokens and the grant stays listed under the user's "My Apps" until they remove it there.
 */
const microsoft = {
  id: 'microsoft',
  name: 'Microsoft 365',
  issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
  authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  userinfoUrl: 'https://graph.microsoft.com/oidc/userinfo',
  apiBaseUrl: 'https://graph.microsoft.com/v1.0',
  revocation: {
    kind: 'none',
    reason: 'Microsoft identity platform has no per-grant token revocation endpoint; remove the app at https://myapps.microsoft.com',
  },
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
  scopeSeparator: ' ',
  pkce: true,
  authorizationParams: { response_mode: 'query' },
  tokenEndpointAuthMethod: 'client_secret_post',
  defaultTenant: 'common',
  subscribableResources: ['/me/events', '/me/messages', "/me/mailFolders('{folderId}')/messages", '/teams/{teamId}/channels/{channelId}/messages'],
  defaultSubscriptions: ['/me/events'],
} satisfies ProviderDefinition;

/**
 * Asana: the seed's "custom provider" example, declared like the others.
 * https://developers.asana.com/docs/oauth
 */
const asana = {
  id: 'asana',
  name: 'Asana',
  issuer: 'https://app.asana.com',
  authorizationUrl: 'https://app.asana.com/-/oauth_authorize',
  tokenUrl: 'https://app.asana.com/-/oauth_token',
  userinfoUrl: 'https://app.asana.com/api/1.0/openid_connect/userinfo',
  apiBaseUrl: 'https://app.asana.com/api/1.0',
  revocation: { kind: 'rfc7009', url: 'https://app.asana.com/-/oauth_revoke', authenticateClient: true },
  scopes: [
    { name: 'default', description: 'Full access to the workspaces, projects and tasks the user can see' },
    { name: 'openid', description: 'Identify the connected Asana user' },
    { name: 'email', description: 'See the email address of the connected Asana user' },
    { name: 'profile', description: 'See the name and photo of the connected Asana user' },
  ],
  defaultScopes: ['default'],
  requiredScopes: [],
  scopeSeparator: ' ',
  pkce: true,
  authorizationParams: {},
  tokenEndpointAuthMethod: 'client_secret_post',
  subscribableResources: ['{resourceGid}'],
  defaultSubscriptions: [],
} satisfies ProviderDefinition;

/** Every provider this deployment knows, keyed by id. */
export const PROVIDERS: Readonly<Record<ProviderId, ProviderDefinition>> = { google, slack, microsoft, asana };

export const listProviderDefinitions = (): ProviderDefinition[] => PROVIDER_IDS.map((id) => PROVIDERS[id]);

export const getProviderDefinition = (id: ProviderId): ProviderDefinition => PROVIDERS[id];
