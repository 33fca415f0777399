import { ProviderOAuthClient } from '../oauth/provider-oauth-client.js';
import { resolveProvider, type ProvidersConfig, type ResolvedProvider } from '../resolve-provider.js';

let providersConfig: ProvidersConfig = { providers: {} };

/**
 * Gives the module-level clients (`googleClient`, `slackClient`, …) the deployment's credentials
 * and endpoint overrides. The composition root calls it once with the loaded config; until then
 * those clients use each provider's public endpoints and have no OAuth credentials.
 */
export function configureProviderClients(config: ProvidersConfig): void {
  providersConfig = config;
}

/**
 * Where a client finds its provider: a fixed resolved provider (tests, services built by the
 * composition root), or a function, so the module-level clients see `configureProviderClients`
 * even though they were created before it ran.
 */
export type ProviderSource = ResolvedProvider | (() => ResolvedProvider);

export const defaultProviderSource =
  (id: string): (() => ResolvedProvider) =>
  () =>
    resolveProvider(id, providersConfig);

export const resolveSource = (source: ProviderSource): ResolvedProvider => (typeof source === 'function' ? source() : source);

/** The OAuth protocol module's client for the provider as it is configured right now. */
export const oauthClientFor = (source: ProviderSource): ProviderOAuthClient => new ProviderOAuthClient(resolveSource(source));
