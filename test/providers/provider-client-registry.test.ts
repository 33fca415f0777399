import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '../../src/errors/app-error.js';
import { asanaClient } from '../../src/providers/asana/asana-client.js';
import { configureProviderClients, createProviderClient, GenericProviderClient, getProviderClient } from '../../src/providers/clients/index.js';
import { googleClient, GoogleClient } from '../../src/providers/google/google-client.js';
import { microsoftClient } from '../../src/providers/microsoft/microsoft-client.js';
import { BUILT_IN_PROVIDERS, createProviderRegistry } from '../../src/providers/registry.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { slackClient } from '../../src/providers/slack/slack-client.js';
import { ASANA_ACCESS_TOKEN, createFakeAsana } from '../support/fake-asana.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN } from '../support/fake-google.js';

const google = createFakeGoogle();
const asana = createFakeAsana();

beforeAll(async () => {
  await Promise.all([google.server.start(), asana.server.start()]);
});

afterAll(async () => {
  await Promise.all([google.server.close(), asana.server.close()]);
});

describe('getProviderClient', () => {
  it('gives the module-level client of every provider, each with the common interface', () => {
    expect(getProviderClient('google')).toBe(googleClient);
    expect(getProviderClient('slack')).toBe(slackClient);
    expect(getProviderClient('microsoft')).toBe(microsoftClient);
    expect(getProviderClient('asana')).toBe(asanaClient);
    for (const id of BUILT_IN_PROVIDERS.keys()) {
      const client = getProviderClient(id);
      for (const method of ['getAuthorizationUrl', 'exchangeCodeForToken', 'refreshToken', 'revokeToken', 'testConnection'] as const) {
        expect(typeof client[method]).toBe('function');
      }
    }
  });

  it('refuses OAuth on a provider without credentials with PROVIDER_NOT_CONFIGURED', () => {
    const unconfigured = createProviderClient('google', resolveProvider('google', { providers: {} }));
    expect(unconfigured).toBeInstanceOf(GoogleClient);
    const attempt = () => unconfigured.getAuthorizationUrl('s', 'http://localhost:4001/oauth/callback', undefined, 'challenge');
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCode.PROVIDER_NOT_CONFIGURED }));
  });

  it('gives a provider it has no class for a generic client, module-level and per connection', () => {
    const registry = createProviderRegistry({
      zendesk: {
        name: 'Zendesk',
        docs: 'https://developer.zendesk.com/documentation/ticketing/working-with-oauth/',
        authorizationUrl: 'https://{subdomain}.zendesk.com/oauth/authorizations/new',
        tokenUrl: 'https://{subdomain}.zendesk.com/oauth/tokens',
        apiBaseUrl: 'https://{subdomain}.zendesk.com/api/v2',
        pkce: 'supported',
        tokenEndpointAuthMethod: 'client_secret_post',
        revocation: { kind: 'none', reason: 'none' },
        connectionParams: [{ name: 'subdomain', description: 'Subdomain' }],
      },
    });
    expect(getProviderClient('zendesk')).toBeInstanceOf(GenericProviderClient);
    expect(getProviderClient('zendesk')).toBe(getProviderClient('zendesk'));
    const client = createProviderClient('zendesk', resolveProvider('zendesk', { providerRegistry: registry, providers: { zendesk: { clientId: 'z', clientSecret: 's' } } }, { subdomain: 'acme' }));
    expect(client).toBeInstanceOf(GenericProviderClient);
    expect(new URL(client.getAuthorizationUrl('s', 'http://localhost:4001/oauth/callback')).host).toBe('acme.zendesk.com');
  });

  it('points the module-level clients at the configured endpoints once configureProviderClients runs', async () => {
    configureProviderClients({
      providers: {
        google: { clientId: 'cid', clientSecret: 'secret', apiBaseUrl: google.server.url },
        asana: { clientId: 'aid', clientSecret: 'asecret', apiBaseUrl: `${asana.server.url}/api/1.0` },
      },
    });
    await expect(getProviderClient('google').testConnection(GOOGLE_ACCESS_TOKEN)).resolves.toBe(true);
    await expect(getProviderClient('asana').getWorkspaces(ASANA_ACCESS_TOKEN)).resolves.toHaveLength(2);
    expect(new URL(googleClient.getAuthorizationUrl('s', 'http://localhost:4001/oauth/callback')).searchParams.get('client_id')).toBe('cid');
    expect(google.server.violations).toEqual([]);
    expect(asana.server.violations).toEqual([]);
  });
});
