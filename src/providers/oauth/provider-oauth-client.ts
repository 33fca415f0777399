import { AppError, ErrorCode } from '../../errors/app-error.js';
import { resolveProvider, type ConnectionParams, type ProvidersConfig, type ResolvedProvider } from '../resolve-provider.js';
import { buildAuthorizationUrl } from './authorization-url.js';
import type { OAuthFetch } from './oauth-fetch.js';
import { createResilientOAuthFetch } from './resilient-oauth-fetch.js';
import { revokeToken, type RevocationOutcome, type RevokeOptions } from './revoke-token.js';
import { exchangeAuthorizationCode, refreshAccessToken } from './token-endpoint.js';
import type { TokenSet } from './token-set.js';
import { validateScopes } from './validate-scopes.js';

/**
 * The seed's OAuth methods of a provider client (`getAuthorizationUrl`, `exchangeCodeForToken`,
 * `refreshToken`, `revokeToken`), over the protocol module. Provider clients compose one; the
 * connection services use the protocol functions directly.
 */
export class ProviderOAuthClient {
  private readonly fetchImpl: OAuthFetch;

  /** @param fetchImpl how to reach the provider. @default the provider's breaker-guarded fetch (`createResilientOAuthFetch`) */
  constructor(
    readonly provider: ResolvedProvider,
    fetchImpl?: OAuthFetch,
  ) {
    this.fetchImpl = fetchImpl ?? createResilientOAuthFetch(provider.id);
  }

  private requireConfigured(): void {
    if (!this.provider.configured) {
      throw new AppError(ErrorCode.PROVIDER_NOT_CONFIGURED, `${this.provider.name} is not configured on this deployment`);
    }
  }

  /** Scopes default to the provider's; unknown scopes are refused (BAD_USER_INPUT). */
  getAuthorizationUrl(state: string, redirectUri: string, scopes?: readonly string[], codeChallenge?: string): string {
    this.requireConfigured();
    return buildAuthorizationUrl(this.provider, { state, redirectUri, scopes: validateScopes(this.provider, scopes), codeChallenge });
  }

  exchangeCodeForToken(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    this.requireConfigured();
    return exchangeAuthorizationCode(this.provider, this.fetchImpl, {
      callbackParameters: new URLSearchParams({ code }),
      redirectUri,
      codeVerifier,
    });
  }

  refreshToken(refreshToken: string): Promise<TokenSet> {
    this.requireConfigured();
    return refreshAccessToken(this.provider, this.fetchImpl, refreshToken);
  }

  revokeToken(token: string, options?: RevokeOptions): Promise<RevocationOutcome> {
    this.requireConfigured();
    return revokeToken(this.provider, this.fetchImpl, token, options);
  }
}

export const createProviderOAuthClient = (
  id: string,
  config: ProvidersConfig,
  fetchImpl?: OAuthFetch,
  connectionParams?: ConnectionParams,
): ProviderOAuthClient => new ProviderOAuthClient(resolveProvider(id, config, connectionParams), fetchImpl);
