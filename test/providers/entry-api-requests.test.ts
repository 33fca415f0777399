import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createProviderClient } from '../../src/providers/clients/index.js';
import { exchangeAuthorizationCode } from '../../src/providers/oauth/token-endpoint.js';
import { revokeToken } from '../../src/providers/oauth/revoke-token.js';
import type { ProviderEntryInput } from '../../src/providers/provider-definition.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { resolveProvider, type ConnectionParams } from '../../src/providers/resolve-provider.js';
import { bearerToken, FakeProviderServer } from '../support/fake-provider-server.js';

/**
 * What an entry says about the API calls the service makes itself (the account lookup, the
 * connection test, API revocations), on a made-up provider shaped like the ones that need it: a
 * GraphQL API asked who the token is by POST (Linear, monday.com; Dropbox's RPC), a tenant
 * header learned from that answer (Xero's `xero-tenant-id`), a version header every call needs
 * (Notion-Version, revocation included), and a token answer whose `expires_in` is `null`
 * (Zendesk without an expiry).
 */
const fake = new FakeProviderServer((status, message) => ({ status, json: { error: 'invalid_request', error_description: message } }));
const QUERY = '{ viewer { id tenant } }';
const ACCESS_TOKEN = 'graph-access-token';
let origin = '';

const entry = (): ProviderEntryInput => ({
  id: 'graph-like',
  name: 'Graph-like',
  docs: 'https://graph.example/docs/oauth',
  authorizationUrl: `${origin}/authorize`,
  tokenUrl: `${origin}/token`,
  apiBaseUrl: `${origin}/api`,
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenResponse: { expires: false },
  refresh: { supported: false },
  revocation: { kind: 'client-api', url: `${origin}/revoke`, tokenField: 'token' },
  account: { from: 'request', url: `${origin}/graphql`, method: 'POST', body: { query: QUERY }, id: 'data.viewer.id' },
  learnedParams: [{ name: 'tenantId', from: 'account', path: 'data.viewer.tenant' }],
  apiHeaders: { 'x-api-version': '2026-01', 'x-tenant-id': '{tenantId}' },
});

const providerFor = (connectionParams?: ConnectionParams) =>
  resolveProvider('graph-like', { providerRegistry: createProviderRegistry({ 'graph-like': entry() }), providers: { 'graph-like': { clientId: 'graph-client', clientSecret: 'graph-secret' } } }, connectionParams);

beforeAll(async () => {
  origin = await fake.start();
  fake.route('POST', '/token', () => ({ json: { access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: null } }));
  fake.route('POST', '/graphql', (request, check) => {
    check(bearerToken(request) === ACCESS_TOKEN, 'the access token as bearer');
    check(request.headers['content-type'] === 'application/json', 'a JSON body');
    check(request.headers['x-api-version'] === '2026-01', 'the version header');
    check(JSON.stringify(request.json()) === JSON.stringify({ query: QUERY }), 'the entry’s query');
    return { json: { data: { viewer: { id: 'user-7', tenant: 'tenant-42' } } } };
  });
  fake.route('POST', '/revoke', () => ({ json: {} }));
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
  fake.reset();
});

afterAll(() => fake.close());

describe('the API calls an entry describes', () => {
  it('looks the account up with the entry’s method and body, leaving out a header whose value is learned from that answer', async () => {
    const tokens = await exchangeAuthorizationCode(providerFor(), fetch, { callbackParameters: new URLSearchParams({ code: 'the-code' }), redirectUri: `${origin}/callback`, codeVerifier: 'v'.repeat(43) });
    expect(tokens).toMatchObject({ accessToken: ACCESS_TOKEN, externalAccountId: 'user-7', learnedParams: { tenantId: 'tenant-42' } });
    // expires_in: null is an answer without an expiry, not a malformed one.
    expect(tokens.expiresAt).toBeUndefined();
    const [lookup] = fake.requests.filter((request) => request.path === '/graphql');
    expect(lookup?.method).toBe('POST');
    expect(lookup?.headers).not.toHaveProperty('x-tenant-id');
  });

  it('fills header placeholders from the connection’s params, for the connection test and API revocations alike', async () => {
    const provider = providerFor({ tenantId: 'tenant-42' });
    expect(provider.apiHeaders).toEqual({ 'x-api-version': '2026-01', 'x-tenant-id': 'tenant-42' });

    await expect(createProviderClient('graph-like', provider).testConnection(ACCESS_TOKEN)).resolves.toBe(true);
    await expect(revokeToken(provider, fetch, ACCESS_TOKEN)).resolves.toEqual({ revoked: true });
    const [test] = fake.requests.filter((request) => request.path === '/graphql');
    const [revocation] = fake.requests.filter((request) => request.path === '/revoke');
    for (const request of [test, revocation]) {
      expect(request?.headers).toMatchObject({ 'x-api-version': '2026-01', 'x-tenant-id': 'tenant-42' });
    }
    expect(test?.method).toBe('POST');
    expect(revocation?.json()).toEqual({ token: ACCESS_TOKEN });
  });
});
