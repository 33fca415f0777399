import type { IntegrationCallContext } from '../connections/token-manager.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { tokenHeader } from '../providers/api-request.js';
import { isKnownProvider, resolveProvider, type ProvidersConfig } from '../providers/resolve-provider.js';

/** Where and how the proxy calls an integration's provider API. */
export interface ProviderApiTarget {
  /** The API base URL with the connection's placeholders filled (a Zendesk subdomain, a Salesforce instance URL). */
  baseUrl: string;
  /**
   * A call's headers: the entry's fixed ones (Notion-Version…), the caller's over them (a newer
   * version), and the access token last, as the entry says to send it, so nothing replaces it.
   */
  headers(accessToken: string, callerHeaders: Record<string, string>): Record<string, string>;
}

/**
 * The API behind an integration, as this deployment configures its provider
 * (`<PROVIDER>_API_BASE_URL` or the entry's, filled from the integration's connection params),
 * and how it takes the token (`apiAuthorization`: `Authorization: Bearer` for most, Shopify's
 * `X-Shopify-Access-Token`). The one place the proxy learns either.
 * @throws AppError PROVIDER_NOT_CONFIGURED for a provider this deployment does not know
 */
export function providerApiFor(integration: IntegrationCallContext, config: ProvidersConfig): ProviderApiTarget {
  const providerId: string = integration.providerId;
  if (!isKnownProvider(providerId, config)) {
    throw new AppError(ErrorCode.PROVIDER_NOT_CONFIGURED, `provider "${providerId}" is not known to this deployment`, { provider: providerId });
  }
  const provider = resolveProvider(providerId, config, integration.connectionParams);
  return {
    baseUrl: provider.apiBaseUrl,
    // The entry's headers filled for this connection (Xero's tenant); no default Accept: the caller's is passed on.
    headers: (accessToken, callerHeaders) => ({ ...provider.apiHeaders, ...callerHeaders, ...tokenHeader(provider, accessToken) }),
  };
}
