import { ConfigError, httpUrl, optional, read, stripTrailingSlash } from '../config-values.js';
import { originParams, wholeValue } from './provider-entry-schema.js';
import type { ProviderRegistry } from './registry.js';
import { isHttpOrigin } from './url-template.js';
import { matchesResourcePattern } from './resource-pattern.js';

/**
 * What the deployment's configuration says about one provider (`config.providers[id]`):
 * credentials, endpoint overrides (`<ID>_AUTHORIZATION_URL`, `<ID>_TOKEN_URL`, … for tests and
 * sovereign clouds), the entry's config params and the default subscriptions.
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
  /** Values of the entry's `configParams` (`<ID>_<NAME>`, e.g. `MICROSOFT_TENANT`), defaults applied. @default {} */
  params?: Readonly<Record<string, string>> | undefined;
  /** `<ID>_DEFAULT_SUBSCRIPTIONS`, when set. @default the entry's `defaultSubscriptions` */
  defaultSubscriptions?: readonly string[] | undefined;
}

/** The prefix of a provider's variables: its id upper-cased, every other character `_` (`zoho-crm` → `ZOHO_CRM`). */
export const envPrefix = (providerId: string): string => providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** The variable of a config param: `tenant` → `TENANT`, `instanceUrl` → `INSTANCE_URL`. */
const paramVariable = (providerId: string, name: string): string => `${envPrefix(providerId)}_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/** `<ID>_DEFAULT_SUBSCRIPTIONS`: a comma list of resources, or `none`. */
function parseDefaultSubscriptions(env: NodeJS.ProcessEnv, variable: string, patterns: readonly string[]): string[] | undefined {
  const value = read(env, variable);
  if (value === undefined) return undefined;
  if (value === 'none') return [];
  const resources = value.split(',').map((resource) => resource.trim()).filter((resource) => resource !== '');
  for (const resource of resources) {
    if (!patterns.some((pattern) => matchesResourcePattern(resource, pattern))) {
      const allowed = patterns.length === 0 ? 'this provider has no subscribable resources' : `allowed: ${patterns.join(', ')}`;
      throw new ConfigError(variable, `"${resource}" is not a subscribable resource (${allowed})`);
    }
  }
  return resources;
}

/** Reads `<ID>_*` for every provider of the registry. Throws a `ConfigError` naming the first bad variable. */
export function parseProviderSettings(env: NodeJS.ProcessEnv, registry: ProviderRegistry): Record<string, ProviderSettings> {
  const settings: Record<string, ProviderSettings> = {};
  for (const definition of registry.values()) {
    const id = definition.id;
    const prefix = envPrefix(id);
    const url = (suffix: string) => {
      const value = optional(env, `${prefix}_${suffix}`, httpUrl);
      return value === undefined ? undefined : stripTrailingSlash(value);
    };
    const clientId = read(env, `${prefix}_CLIENT_ID`);
    const clientSecret = read(env, `${prefix}_CLIENT_SECRET`);
    if ((clientId === undefined) !== (clientSecret === undefined)) {
      const [missing, other] = clientId === undefined ? ['CLIENT_ID', 'CLIENT_SECRET'] : ['CLIENT_SECRET', 'CLIENT_ID'];
      throw new ConfigError(`${prefix}_${missing}`, `must be set together with ${prefix}_${other}`);
    }
    const params: Record<string, string> = {};
    const origins = originParams(definition);
    for (const param of definition.configParams) {
      const variable = paramVariable(id, param.name);
      const value = read(env, variable) ?? param.default;
      if (value === undefined) {
        if (clientId !== undefined) throw new ConfigError(variable, `is required to connect ${definition.name} (${param.description})`);
        continue;
      }
      if (!wholeValue(param.pattern).test(value)) throw new ConfigError(variable, `must be ${param.description}`);
      if (origins.has(param.name) && !isHttpOrigin(value)) throw new ConfigError(variable, 'must be an http(s) origin such as https://gitlab.example.com (it opens the provider’s URLs)');
      params[param.name] = value;
    }
    settings[id] = {
      clientId,
      clientSecret,
      authorizationUrl: url('AUTHORIZATION_URL'),
      tokenUrl: url('TOKEN_URL'),
      apiBaseUrl: url('API_BASE_URL'),
      revocationUrl: url('REVOCATION_URL'),
      userinfoUrl: url('USERINFO_URL'),
      // Not through `url`: an issuer is compared as it is (RFC 9207), a trailing slash included.
      issuer: optional(env, `${prefix}_ISSUER`, httpUrl),
      // Only Slack signs with an app-wide secret; the others' webhooks carry per-endpoint secrets.
      signingSecret: id === 'slack' ? read(env, 'SLACK_SIGNING_SECRET') : undefined,
      params,
      defaultSubscriptions: parseDefaultSubscriptions(env, `${prefix}_DEFAULT_SUBSCRIPTIONS`, definition.subscribableResources),
    };
  }
  return settings;
}
