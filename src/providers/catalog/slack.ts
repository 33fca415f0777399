import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Slack (OAuth v2, "granular bot permissions"): https://docs.slack.dev/reference/methods/oauth.v2.access
 * - scopes are comma-separated; scopes for the installing user go in `user_scope` (asked for
 *   here with a `user:` prefix) and come back under `authed_user.scope`;
 * - errors come back with HTTP 200 and `{ ok: false, error }`;
 * - `token_type` is `bot` (or `user`); a user-only install has its token under `authed_user`;
 * - tokens do not expire and there is no refresh token unless the app opts into token rotation;
 * - `team.id` identifies the workspace (it routes Events API webhooks).
 * Slack accepts PKCE only after the app is switched to a public client, which cannot be undone,
 * so this confidential server client does not send it: https://docs.slack.dev/authentication/using-pkce
 */
export const slack = {
  id: 'slack',
  name: 'Slack',
  docs: 'https://docs.slack.dev/authentication/installing-with-oauth',
  issuer: 'https://slack.com',
  authorizationUrl: 'https://slack.com/oauth/v2/authorize',
  tokenUrl: 'https://slack.com/api/oauth.v2.access',
  apiBaseUrl: 'https://slack.com/api',
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
  scopeSeparator: ',',
  userScopeParam: { parameter: 'user_scope', prefix: 'user:', responsePath: 'authed_user.scope' },
  pkce: 'refused',
  // oauth.v2.access: "avoid sending client_id and client_secret as parameters … use HTTP Basic".
  tokenEndpointAuthMethod: 'client_secret_basic',
  tokenResponse: {
    tokenPaths: ['', 'authed_user'],
    errors: 'ok-false',
    invalidGrantErrors: ['invalid_code', 'code_already_used', 'code_expired', 'invalid_refresh_token', 'token_revoked', 'token_expired'],
    rateLimitErrors: ['ratelimited'],
    bearerTokenTypes: ['bot', 'user'],
    expires: false,
  },
  refresh: { supported: false },
  // https://docs.slack.dev/reference/methods/auth.revoke
  revocation: { kind: 'bearer-api', url: 'https://slack.com/api/auth.revoke' },
  account: {
    from: 'token_response',
    id: 'team.id',
    fields: {
      teamId: 'team.id',
      teamName: 'team.name',
      enterpriseId: 'enterprise.id',
      enterpriseName: 'enterprise.name',
      botUserId: 'bot_user_id',
      appId: 'app_id',
      authedUserId: 'authed_user.id',
    },
  },
  // https://docs.slack.dev/apis/web-api/pagination
  pagination: { style: 'cursor', param: 'cursor', nextPath: 'response_metadata.next_cursor', limitParam: 'limit' },
  // https://docs.slack.dev/apis/web-api/rate-limits
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
