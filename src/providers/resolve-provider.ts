import { AppError, ErrorCode } from '../errors/app-error.js';
import { fillApiHeaders } from './api-request.js';
import type { AccountSource, ProviderDefinition, ProviderScope, RevocationSupport, TokenEndpointAuthMethod } from './provider-definition.js';
import type { ProviderSettings } from './provider-settings.js';
import { BUILT_IN_PROVIDERS, type ProviderRegistry } from './registry.js';
import { fillTemplate, originTemplateOf } from './url-template.js';

export type { ProviderSettings } from './provider-settings.js';

/** The slice of the application config this module reads. */
export interface ProvidersConfig {
  providers: Readonly<Record<string, ProviderSettings | undefined>>;
  /** @default BUILT_IN_PROVIDERS */
  providerRegistry?: ProviderRegistry | undefined;
}

/** A connection's own values for an entry's placeholders: what the user gave and what connecting taught us. Not secret. */
export type ConnectionParams = Readonly<Record<string, string>>;

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * A provider with its effective endpoints for this deployment (and, when given, one connection):
 * overrides applied, placeholders filled. A placeholder without a value stays as `{name}` (a
 * connection param before the user gave it, or `{token}` in a revocation URL).
 */
export interface ResolvedProvider {
  id: string;
  name: string;
  definition: ProviderDefinition;
  /** True when client credentials are configured; only then can anyone connect it. */
  configured: boolean;
  /** Present exactly when `configured`. */
  credentials: ProviderCredentials | undefined;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** Where refresh requests go (the token URL unless the entry names another). */
  refreshUrl: string;
  userinfoUrl: string | undefined;
  apiBaseUrl: string;
  /** The entry's `apiHeaders` with this connection's values; headers naming values not known yet are left out. */
  apiHeaders: Readonly<Record<string, string>>;
  revocation: RevocationSupport;
  /** The entry's account lookup, its URL filled. */
  account: AccountSource | undefined;
  scopes: readonly ProviderScope[];
  defaultScopes: readonly string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** The connection's params these URLs were filled with. */
  connectionParams: ConnectionParams;
  /** Resource patterns a subscription may name. */
  subscribableResources: readonly string[];
  /** Subscribed on connect: `<ID>_DEFAULT_SUBSCRIPTIONS`, else the entry's. */
  defaultSubscriptions: readonly string[];
}

const registryOf = (config: ProvidersConfig): ProviderRegistry => config.providerRegistry ?? BUILT_IN_PROVIDERS;

/** True when the deployment's registry has the provider. */
export const isKnownProvider = (id: string, config: ProvidersConfig): boolean => registryOf(config).has(id);

/** Every provider of the deployment's registry, resolved without a connection. */
export const listResolvedProviders = (config: ProvidersConfig): ResolvedProvider[] =>
  [...registryOf(config).keys()].map((id) => resolveProvider(id, config));

/**
 * The effective provider: the registry's definition with configured overrides applied and
 * placeholders filled from configuration (`{tenant}`), the client id (`{clientId}`) and the
 * connection's params. When the authorization endpoint is overridden without an explicit
 * issuer, the override's origin stands in for the issuer (what a self-hosted OAuth server on
 * one origin uses). An unknown id is BAD_USER_INPUT.
 */
export function resolveProvider(id: string, config: ProvidersConfig, connectionParams: ConnectionParams = {}): ResolvedProvider {
  const definition = registryOf(config).get(id);
  if (!definition) throw new AppError(ErrorCode.BAD_USER_INPUT, `Unknown provider "${id}"`);
  const settings = config.providers[id] ?? {};
  const credentials =
    settings.clientId && settings.clientSecret ? { clientId: settings.clientId, clientSecret: settings.clientSecret } : undefined;
  const defaults = Object.fromEntries(definition.configParams.map((param) => [param.name, param.default]));
  const values: Record<string, string | undefined> = { ...defaults, ...settings.params, ...connectionParams, clientId: credentials?.clientId };
  const fill = (template: string): string => fillTemplate(template, values);

  const authorizationUrl = settings.authorizationUrl ?? fill(definition.authorizationUrl);
  const tokenUrl = settings.tokenUrl ?? fill(definition.tokenUrl);
  const issuer =
    settings.issuer ??
    (settings.authorizationUrl ? new URL(settings.authorizationUrl).origin : fill(definition.issuer ?? originTemplateOf(definition.authorizationUrl)));
  const revocation: RevocationSupport =
    definition.revocation.kind === 'none' ? definition.revocation : { ...definition.revocation, url: settings.revocationUrl ?? fill(definition.revocation.url) };
  const userinfoTemplate = definition.userinfoUrl;
  return {
    id,
    name: definition.name,
    definition,
    configured: credentials !== undefined,
    credentials,
    issuer,
    authorizationUrl,
    tokenUrl,
    // A token URL override moves refreshes with it, unless the entry sends them elsewhere.
    refreshUrl: definition.refresh.url ? fill(definition.refresh.url) : tokenUrl,
    userinfoUrl: settings.userinfoUrl ?? (userinfoTemplate ? fill(userinfoTemplate) : undefined),
    apiBaseUrl: settings.apiBaseUrl ?? fill(definition.apiBaseUrl),
    apiHeaders: fillApiHeaders(definition.apiHeaders, values),
    revocation,
    account: definition.account && (definition.account.url ? { ...definition.account, url: fill(definition.account.url) } : definition.account),
    scopes: definition.scopes,
    defaultScopes: definition.defaultScopes,
    tokenEndpointAuthMethod: definition.tokenEndpointAuthMethod,
    connectionParams,
    subscribableResources: definition.subscribableResources,
    defaultSubscriptions: settings.defaultSubscriptions ?? definition.defaultSubscriptions,
  };
}
