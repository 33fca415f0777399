import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Google Workspace. `access_type=offline` gets a refresh token, `prompt=consent` makes Google
 * send one again on reconnect (it only does so on consent), and `include_granted_scopes`
 * enables incremental authorization. Google revokes the whole grant given either token, and
 * takes the token without client authentication.
 */
export const google = {
  id: 'google',
  name: 'Google Workspace',
  docs: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  issuer: 'https://accounts.google.com',
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  apiBaseUrl: 'https://www.googleapis.com',
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
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  // https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
  revocation: { kind: 'rfc7009', url: 'https://oauth2.googleapis.com/revoke', authenticateClient: false },
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  account: { from: 'id_token', id: 'sub', fields: { email: 'email', name: 'name', hostedDomain: 'hd', subject: 'sub' } },
  pagination: { style: 'cursor', param: 'pageToken', nextPath: 'nextPageToken', limitParam: 'maxResults' },
  subscribableResources: ['calendar/{calendarId}', 'drive/changes', 'gmail/{labelId}'],
  defaultSubscriptions: ['calendar/primary'],
} satisfies ProviderEntryInput;
