import type { RevocationOutcome } from '../oauth/revoke-token.js';
import type { TokenSet } from '../oauth/token-set.js';

/**
 * What every provider client offers, whatever else its API has: the seed's OAuth methods and
 * `testConnection`. The connection services work through this; provider-specific calls use
 * the concrete client (`GoogleClient.createEvent`, …).
 */
export interface ProviderClient {
  getAuthorizationUrl(state: string, redirectUri: string, scopes?: readonly string[], codeChallenge?: string): string;
  exchangeCodeForToken(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet>;
  refreshToken(refreshToken: string): Promise<TokenSet>;
  /** `{ revoked: false, reason }` for a provider without revocation (Microsoft). */
  revokeToken(token: string): Promise<RevocationOutcome>;
  /** True when the provider accepts the token, false when it refuses it; outages are thrown. */
  testConnection(accessToken: string): Promise<boolean>;
}
