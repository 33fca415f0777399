import { BaseIntegrationClient, type BaseIntegrationClientOptions } from '../base-client.js';
import type { RevocationOutcome } from '../oauth/revoke-token.js';
import type { TokenSet } from '../oauth/token-set.js';
import { oauthClientFor, resolveSource, type ProviderSource } from './default-providers.js';

/**
 * A built-in provider client: the seed's OAuth methods delegated to the shared protocol module
 * (src/providers/oauth), and the API base URL read from the resolved provider on every call, so
 * `<PROVIDER>_API_BASE_URL` applies to clients made before configuration. Each provider's
 * OAuth quirks live in its entry, not here. Custom providers may extend
 * `BaseIntegrationClient` directly, as the seed's Asana example (src/providers/asana) does.
 */
export abstract class OAuthProviderClient extends BaseIntegrationClient {
  /**
   * @param providerSource the resolved provider
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(
    serviceName: string,
    protected readonly providerSource: ProviderSource,
    options?: BaseIntegrationClientOptions,
  ) {
    super(serviceName, options);
  }

  protected get apiBaseUrl(): string {
    return resolveSource(this.providerSource).apiBaseUrl;
  }

  getAuthorizationUrl(state: string, redirectUri: string, scopes?: readonly string[], codeChallenge?: string): string {
    return oauthClientFor(this.providerSource).getAuthorizationUrl(state, redirectUri, scopes, codeChallenge);
  }

  exchangeCodeForToken(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    return oauthClientFor(this.providerSource).exchangeCodeForToken(code, redirectUri, codeVerifier);
  }

  refreshToken(refreshToken: string): Promise<TokenSet> {
    return oauthClientFor(this.providerSource).refreshToken(refreshToken);
  }

  revokeToken(token: string): Promise<RevocationOutcome> {
    return oauthClientFor(this.providerSource).revokeToken(token);
  }
}
