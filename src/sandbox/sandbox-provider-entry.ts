import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config-values.js';
import type { ProviderEntryInput } from '../providers/provider-definition.js';
import type { ProviderSettings } from '../providers/provider-settings.js';
import { ProviderEntryError, createProviderRegistry, type ProviderRegistry } from '../providers/registry.js';

export const SANDBOX_PROVIDER_ID = 'sandbox';
/** Where the sandbox's authorization server is mounted; its issuer is `PUBLIC_URL` + this path. */
export const SANDBOX_OAUTH_PATH = '/sandbox/oauth';
/** Where the sandbox's API is mounted. */
export const SANDBOX_API_PATH = '/sandbox/api';
/** The one resource sandbox subscriptions watch: the account's items. */
export const SANDBOX_RESOURCE = 'items';

/**
 * The sandbox as a provider entry: plain data, like every catalog entry, its endpoints on the
 * service's own `PUBLIC_URL` (which is why it is made from it rather than listed in the
 * catalog). Nothing about it is special-cased elsewhere: the OAuth flow, the account lookup,
 * refresh with rotation, RFC 7009 revocation, the proxy and the subscriptions (the generic
 * protocol runs `subscriptionApi`) all go through the code every provider uses.
 */
function sandboxProviderEntry(publicUrl: string) {
  const issuer = `${publicUrl}${SANDBOX_OAUTH_PATH}`;
  const api = `${publicUrl}${SANDBOX_API_PATH}`;
  return {
    id: SANDBOX_PROVIDER_ID,
    name: 'Sandbox',
    // Its own discovery document: the sandbox's whole OAuth documentation.
    docs: `${issuer}/.well-known/openid-configuration`,
    issuer,
    authorizationUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    apiBaseUrl: api,
    scopes: [
      { name: 'items:read', description: 'See your sandbox items' },
      { name: 'items:write', description: 'Create sandbox items' },
      { name: 'webhooks', description: 'Be told when your sandbox items change (webhook subscriptions)' },
    ],
    defaultScopes: ['items:read', 'items:write', 'webhooks'],
    pkce: 'required',
    tokenEndpointAuthMethod: 'client_secret_basic',
    refresh: { rotation: true },
    revocation: { kind: 'rfc7009', url: `${issuer}/token/revocation` },
    account: { from: 'request', url: `${api}/me`, id: 'id', fields: { name: 'name' } },
    subscribableResources: [SANDBOX_RESOURCE],
    defaultSubscriptions: [SANDBOX_RESOURCE],
    subscriptionApi: {
      create: { method: 'POST', path: '/subscriptions', body: { resource: '{resource}', url: '{webhookUrl}' } },
      renew: { method: 'PATCH', path: '/subscriptions/{id}' },
      stop: { method: 'DELETE', path: '/subscriptions/{id}' },
      response: { id: 'id', expiresAt: 'expiresAt', secret: 'secret' },
    },
  } satisfies ProviderEntryInput;
}

/**
 * The deployment's registry with the sandbox entry first (so a fresh start shows it at the top).
 * A `PROVIDERS_FILE` entry with the sandbox's id is refused: it would silently replace it.
 */
export function withSandboxProvider(registry: ProviderRegistry, publicUrl: string): ProviderRegistry {
  if (registry.has(SANDBOX_PROVIDER_ID)) {
    throw new ConfigError('PROVIDERS_FILE', `entry "${SANDBOX_PROVIDER_ID}": the id is the built-in sandbox's; rename it, or set SANDBOX_ENABLED=false`);
  }
  try {
    const [sandbox] = createProviderRegistry({}, [sandboxProviderEntry(publicUrl)]).values();
    return new Map([[SANDBOX_PROVIDER_ID, sandbox!], ...registry]);
  } catch (error) {
    // A PUBLIC_URL the entry's URLs cannot be made of (the schema names the field).
    if (error instanceof ProviderEntryError) throw new ConfigError('PUBLIC_URL', error.message);
    throw error;
  }
}

/**
 * The service's client at the sandbox's authorization server: made per process, like the
 * server's in-memory storage it is registered in (tokens do not outlive the process either).
 */
export const sandboxClientCredentials = (): Pick<ProviderSettings, 'clientId' | 'clientSecret'> => ({
  clientId: 'integrations-service',
  clientSecret: randomBytes(32).toString('base64url'),
});
