import type { ProviderDefinition, ProviderScope, RevocationSupport, TokenEndpointAuthMethod } from './provider-definition.js';
import type { ProviderId } from './provider-ids.js';
import { getProviderDefinition } from './registry.js';

/**
 * What the deployment's configuration says about one provider (`config.providers[id]`):
 * credentials and endpoint overrides (`<ID>_AUTHORIZATION_URL`, `<ID>_TOKEN_URL`, … for tests
 * and sovereign clouds).
 */
export interface ProviderSettings {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  authorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  apiBaseUrl?: string | undefined;
  revocationUrl?: string | undefined;
  userinfoUrl?: string | undefined;
  /** The authorization server's issuer when its endpoints are overridden. @default derived from the definition */
  issuer?: string | undefined;
  signingSecret?: string | undefined;
  /** Microsoft tenant. @default 'common' */
  tenant?: string | undefined;
}

/** The slice of the application config this module reads. */
export interface ProvidersConfig {
  providers: Partial<Record<ProviderId, ProviderSettings | undefined>>;
}

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
}

/** A provider with its effective endpoints for this deployment. */
export interface ResolvedProvider {
  id: ProviderId;
  name: string;
  definition: ProviderDefinition;
  /** True when client credentials are configured; only then can anyone connect it. */
  configured: boolean;
  /** Present exactly when `configured`. */
  credentials: ProviderCredentials | undefined;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string | undefined;
  apiBaseUrl: string;
  revocation: RevocationSupport;
  /** Microsoft's tenant segment; undefined for providers without tenants. */
  tenant: string | undefined;
  scopes: readonly ProviderScope[];
  defaultScopes: readonly string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Resource patterns a connection may subscribe to for webhooks (`{name}` = one segment). */
  subscribableResources: readonly string[];
  /** Subscribed on connect and reconnect. */
  defaultSubscriptions: readonly string[];
}

const fillTenant = (url: string, tenant: string | undefined): string =>
  tenant === undefined ? url : url.replaceAll('{tenant}', encodeURIComponent(tenant));

/**
 * The effective provider: the registry's definition, with configured overrides applied and
 * Microsoft's `{tenant}` filled in. When the authorization endpoint is overridden without an
 * explicit issuer, the override's origin stands in for the issuer (what a self-hosted
 * OAuth server on one origin uses).
 */
export function resolveProvider(id: ProviderId, config: ProvidersConfig): ResolvedProvider {
  const definition = getProviderDefinition(id);
  const settings = config.providers[id] ?? {};
  const tenant = definition.defaultTenant === undefined ? undefined : settings.tenant || definition.defaultTenant;
  const credentials =
    settings.clientId && settings.clientSecret ? { clientId: settings.clientId, clientSecret: settings.clientSecret } : undefined;
  const authorizationUrl = settings.authorizationUrl ?? fillTenant(definition.authorizationUrl, tenant);
  const issuer =
    settings.issuer ?? (settings.authorizationUrl ? new URL(settings.authorizationUrl).origin : fillTenant(definition.issuer, tenant));
  const revocation: RevocationSupport =
    settings.revocationUrl && definition.revocation.kind !== 'none'
      ? { ...definition.revocation, url: settings.revocationUrl }
      : definition.revocation;
  return {
    id,
    name: definition.name,
    definition,
    configured: credentials !== undefined,
    credentials,
    issuer,
    authorizationUrl,
    tokenUrl: settings.tokenUrl ?? fillTenant(definition.tokenUrl, tenant),
    userinfoUrl: settings.userinfoUrl ?? (definition.userinfoUrl ? fillTenant(definition.userinfoUrl, tenant) : undefined),
    apiBaseUrl: settings.apiBaseUrl ?? definition.apiBaseUrl,
    revocation,
    tenant,
    scopes: definition.scopes,
    defaultScopes: definition.defaultScopes,
    tokenEndpointAuthMethod: definition.tokenEndpointAuthMethod,
    subscribableResources: definition.subscribableResources,
    defaultSubscriptions: definition.defaultSubscriptions,
  };
}
