import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Miro (REST API v2; its OAuth endpoints stay under v1). Scopes are chosen on the app (none
 * requested); the client id and secret go in the form body, as Miro recommends over its
 * query-string examples. With expiring tokens enabled on the app (1 hour, refresh tokens for
 * 60 days) each refresh answers with a new pair; apps without it get tokens that last until
 * uninstalled. The team routes webhooks; the token answer's numeric `team_id` is too large for
 * JSON numbers, so the account is read from `GET /v1/oauth-token`, whose ids are strings.
 * Revocation takes the access token in the query and revokes its refresh token too:
 * https://developers.miro.com/v1.0/reference/revoke-token
 * PKCE is not documented for Miro, so none is sent.
 */
export const miro = {
  id: 'miro',
  name: 'Miro',
  docs: 'https://developers.miro.com/docs/getting-started-with-oauth',
  authorizationUrl: 'https://miro.com/oauth/authorize',
  tokenUrl: 'https://api.miro.com/v1/oauth/token',
  apiBaseUrl: 'https://api.miro.com/v2',
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_post',
  refresh: { rotation: true },
  revocation: { kind: 'client-api', url: 'https://api.miro.com/v1/oauth/revoke?access_token={token}', clientAuth: 'none', token: 'access_token' },
  account: { from: 'request', url: 'https://api.miro.com/v1/oauth-token', id: 'team.id', fields: { teamName: 'team.name', userId: 'user.id', userName: 'user.name' } },
  pagination: { style: 'cursor', param: 'cursor', nextPath: 'cursor', limitParam: 'limit' },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
} satisfies ProviderEntryInput;
