import type { ProviderEntryInput } from '../provider-definition.js';

/**
 * Spotify (authorization code flow for apps with a secret). The client authenticates with HTTP
 * Basic; scopes are space-separated; access tokens live an hour and a refresh "might" answer
 * with a new refresh token, which then replaces the stored one. Spotify has no revocation
 * endpoint. PKCE is Spotify's flow for clients without a secret, so this one sends none.
 */
export const spotify = {
  id: 'spotify',
  name: 'Spotify',
  docs: 'https://developer.spotify.com/documentation/web-api/tutorials/code-flow',
  authorizationUrl: 'https://accounts.spotify.com/authorize',
  tokenUrl: 'https://accounts.spotify.com/api/token',
  apiBaseUrl: 'https://api.spotify.com/v1',
  scopes: [
    { name: 'user-read-email', description: 'See the user’s email address' },
    { name: 'user-read-private', description: 'See the user’s subscription and country' },
    { name: 'user-read-playback-state', description: 'See what the user is playing, and on which device' },
    { name: 'user-modify-playback-state', description: 'Control playback on the user’s devices' },
    { name: 'playlist-read-private', description: 'Read the user’s private playlists' },
    { name: 'playlist-modify-private', description: 'Create and change the user’s private playlists' },
  ],
  defaultScopes: ['user-read-email', 'user-read-private'],
  pkce: 'refused',
  tokenEndpointAuthMethod: 'client_secret_basic',
  revocation: { kind: 'none', reason: 'Spotify has no endpoint to revoke a token; remove the app at https://www.spotify.com/account/apps/' },
  account: { from: 'request', url: 'https://api.spotify.com/v1/me', id: 'id', fields: { displayName: 'display_name', email: 'email', country: 'country' } },
  // Paged answers name their `next` page.
  pagination: { style: 'next-url', nextPath: 'next', limitParam: 'limit' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
} satisfies ProviderEntryInput;
