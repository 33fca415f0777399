import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * X (formerly Twitter), OAuth 2.0 authorization code with PKCE, which X requires. A confidential
 * client authenticates with HTTP Basic at the token and revocation endpoints; scopes are
 * space-separated and `offline.access` is what yields a refresh token. Access tokens live
 * 2 hours. Revocation is RFC 7009 at `/2/oauth2/revoke`. Whether a refresh invalidates the
 * previous refresh token is not documented; a new one, when answered, replaces the stored one.
 */
export const x = {
  id: 'x',
  name: 'X (Twitter)',
  docs: 'https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code',
  authorizationUrl: 'https://x.com/i/oauth2/authorize',
  tokenUrl: 'https://api.x.com/2/oauth2/token',
  apiBaseUrl: 'https://api.x.com/2',
  scopes: [
    { name: 'tweet.read', description: 'Read posts the user can see' },
    { name: 'tweet.write', description: 'Post and delete posts as the user' },
    { name: 'users.read', description: 'Read profiles, the user’s own included' },
    { name: 'follows.read', description: 'See who the user follows and who follows them' },
    { name: 'like.read', description: 'See the posts the user liked' },
    { name: 'offline.access', description: 'Keep access while the user is away (refresh token)' },
  ],
  defaultScopes: ['tweet.read', 'users.read', 'offline.access'],
  requiredScopes: ['offline.access'],
  pkce: 'required',
  tokenEndpointAuthMethod: 'client_secret_basic',
  revocation: { kind: 'rfc7009', url: 'https://api.x.com/2/oauth2/revoke', authenticateClient: true },
  account: { from: 'request', url: 'https://api.x.com/2/users/me', id: 'data.id', fields: { username: 'data.username', name: 'data.name' } },
  pagination: { style: 'cursor', param: 'pagination_token', nextPath: 'meta.next_token', limitParam: 'max_results' },
  rateLimitHeaders: { limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' },
} satisfies ProviderEntryInput;
