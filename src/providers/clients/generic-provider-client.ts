import { apiRequestHeaders } from '../api-request.js';
import type { BaseIntegrationClientOptions } from '../base-client.js';
import type { ResolvedProvider } from '../resolve-provider.js';
import { resolveSource, type ProviderSource } from './default-providers.js';
import { OAuthProviderClient } from './oauth-provider-client.js';
import type { ProviderClient } from './provider-client.js';
import { isAuthRejection } from './provider-response.js';

/**
 * The client of a provider that exists only as an entry (a catalog entry or `PROVIDERS_FILE`):
 * the OAuth methods every client has, and `testConnection` over the entry's account lookup or
 * userinfo endpoint, authorized as the entry says (`apiAuthorization`, `apiHeaders`).
 */
export class GenericProviderClient extends OAuthProviderClient implements ProviderClient {
  /**
   * @param providerSource the resolved provider (with the connection's params, so URLs are filled)
   * @param options retry, timeout and breaker settings @default the resilience layer's
   */
  constructor(providerId: string, providerSource: ProviderSource, options?: BaseIntegrationClientOptions) {
    super(providerId, providerSource, options);
  }

  /** True when the provider accepts the token; false when it refuses it (401/403). Throws when the entry names no URL to test with. */
  async testConnection(accessToken: string): Promise<boolean> {
    const provider = resolveSource(this.providerSource);
    const url = connectionTestUrl(provider);
    if (!url) throw new TypeError(`${provider.name} has no account lookup or userinfo endpoint to test a connection with`);
    // The account lookup as the entry sends it (a GraphQL POST for Linear); it only reads, so a retry is harmless.
    const lookup = provider.account?.from === 'request' ? provider.account : undefined;
    try {
      await this.request({
        url,
        method: lookup?.method ?? 'GET',
        headers: apiRequestHeaders(provider, accessToken),
        ...(lookup?.body ? { body: lookup.body } : {}),
        idempotent: true,
      });
      return true;
    } catch (error) {
      if (isAuthRejection(error)) return false;
      throw error;
    }
  }
}

/** Where a generic connection test goes: the account lookup, else userinfo; undefined when the entry has neither. */
export function connectionTestUrl(provider: ResolvedProvider): string | undefined {
  return provider.account?.from === 'request' ? provider.account.url : provider.userinfoUrl;
}
