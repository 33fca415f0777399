import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Discord. Scopes are space-separated; the token request authenticates the client with HTTP
 * Basic (Discord's examples pass the id and secret as `auth`); access tokens live 7 days.
 * Revocation is RFC 7009 at `/oauth2/token/revoke`, and revoking either token invalidates every
 * token the app holds for the user. PKCE is not part of Discord's documented flow, so none is sent.
 */
export const discord = {
  id: 'discord',
  name: 'Discord',
  docs: 'https://discord.com/developers/docs/topics/oauth2',
  authorizationUrl: 'https://discord.com/oauth2/authorize',
  tokenUrl: 'https://discord.com/api/oauth2/token',
  apiBaseUrl: 'https://discord.com/api/v10',
  scopes: [
    { name: 'identify', description: 'See the connected user’s name and avatar (users/@me)' },
    { name: 'email', description: 'See the connected user’s email address' },
    { name: 'guilds', description: 'See the servers the user is in' },
    { name: 'guilds.members.read', description: 'See the user’s member profile in their servers' },
    { name: 'connections', description: 'See the accounts the user linked to Discord' },
  ],
  defaultScopes: ['identify', 'guilds'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  revocation: { kind: 'rfc7009', url: 'https://discord.com/api/oauth2/token/revoke', authenticateClient: true },
  account: { from: 'request', url: 'https://discord.com/api/v10/users/@me', id: 'id', fields: { username: 'username', globalName: 'global_name', email: 'email' } },
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
