import type { IntegrationCallContext } from '../connections/token-manager.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { isProviderId } from '../providers/provider-ids.js';
import { resolveProvider, type ProvidersConfig } from '../providers/resolve-provider.js';

/**
 * The API base URL behind an integration, as this deployment configures its provider
 * (`<PROVIDER>_API_BASE_URL` or the registry's). The one place the proxy learns it: a provider
 * whose API lives at a per-connection address (a Zendesk subdomain, a Salesforce instance URL)
 * is resolved here, from the integration.
 * @throws AppError PROVIDER_NOT_CONFIGURED for a provider this deployment does not know
 */
export function apiBaseUrlFor(integration: IntegrationCallContext, config: ProvidersConfig): string {
  const providerId: string = integration.providerId;
  if (!isProviderId(providerId)) {
    throw new AppError(ErrorCode.PROVIDER_NOT_CONFIGURED, `provider "${providerId}" is not known to this deployment`, { provider: providerId });
  }
  return resolveProvider(providerId, config).apiBaseUrl;
}
