import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Notion public integrations. No scopes (the integration's capabilities are set on it) and no
 * PKCE in the documented flow; `owner=user` is required on the authorization URL. The token
 * request is a JSON body with HTTP Basic client authentication. The answer names the workspace
 * (`workspace_id`, which routes its webhooks) and carries a refresh token but no `expires_in`:
 * the access token is refreshed when Notion refuses it, and each refresh answers with a new
 * refresh token that replaces the old one:
 * https://developers.notion.com/reference/refresh-a-token
 * Revocation is Notion's own JSON API, authenticated as the client:
 * https://developers.notion.com/reference/revoke-token
 */
export const notion = {
  id: 'notion',
  name: 'Notion',
  docs: 'https://developers.notion.com/reference/authorization',
  authorizationUrl: 'https://api.notion.com/v1/oauth/authorize',
  tokenUrl: 'https://api.notion.com/v1/oauth/token',
  // Not OpenID Connect: the bot user of the token, what a connection test calls.
  userinfoUrl: 'https://api.notion.com/v1/users/me',
  apiBaseUrl: 'https://api.notion.com/v1',
  authorizationParams: { owner: 'user' },
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  tokenRequest: { body: 'json' },
  tokenResponse: { expires: false },
  refresh: { rotation: true },
  revocation: { kind: 'client-api', url: 'https://api.notion.com/v1/oauth/revoke', clientAuth: 'basic', tokenField: 'token', token: 'access_token' },
  account: {
    from: 'token_response',
    id: 'workspace_id',
    fields: { workspaceName: 'workspace_name', botId: 'bot_id', ownerUserId: 'owner.user.id', ownerEmail: 'owner.user.person.email' },
  },
  // https://developers.notion.com/reference/versioning
  apiHeaders: { 'notion-version': '2025-09-03' },
  // https://developers.notion.com/reference/intro#pagination
  pagination: { style: 'cursor', param: 'start_cursor', nextPath: 'next_cursor', limitParam: 'page_size' },
  // https://developers.notion.com/reference/request-limits
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
