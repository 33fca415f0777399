import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createOAuthCallbackHandler } from '../../src/connections/oauth-callback.js';
import { hashState } from '../../src/connections/oauth-state-store.js';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { oauthCallbackRouter } from '../../src/http/oauth-callback-route.js';
import { GoogleClient } from '../../src/providers/google/google-client.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { ProviderBreakerRegistry } from '../../src/resilience/provider-breakers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createFakeGoogle, googleReasonError, googleUserRateLimitExceeded } from '../support/fake-google.js';
import type { FakeResponse } from '../support/fake-provider-server.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  buildServices,
  expireAccessToken,
  newPrincipal,
  principalOf,
  queryAsSuperuser,
  recordStatusChanges,
  refreshDirectly,
  revokeDirectly,
  settle,
  storedIntegration,
  testConfig,
  type Harness,
} from './connection-harness.js';

let db: TestDatabase;
let oidc: OidcServer;
let harness: Harness;
let ui: Server | undefined;

/** Calls the OAuth server's userinfo endpoint: proves a token really works there. */
async function userinfoStatus(accessToken: string): Promise<number> {
  const response = await fetch(`${oidc.issuer}/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  db = await createTestDatabase();
  oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: 'integrations-test-client-secret-0123456789', redirectUri: REDIRECT_URI });
  harness = buildServices(db.database, testConfig(oidc.issuer), {
    google: async (accessToken) => (await userinfoStatus(accessToken)) === 200,
  });
});

afterAll(async () => {
  await harness?.pubsub.close();
  await new Promise<void>((resolve) => (ui ? ui.close(() => resolve()) : resolve()));
  await oidc?.close();
  await db?.close();
});

describe('the whole connection flow against a real OAuth server', () => {
  it('connects, stores sealed tokens, refreshes with rotation when expired, and revokes on disconnect', async () => {
    const { services, cipher, pubsub } = harness;
    const principal = newPrincipal('alice');
    const changes = recordStatusChanges(pubsub, principal.organizationId);

    const authorization = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const url = new URL(authorization.authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${oidc.issuer}/auth`);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('include_granted_scopes')).toBe('true');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe(authorization.state);
    expect(url.searchParams.get('scope')?.split(' ')).toContain('https://www.googleapis.com/auth/calendar');
    expect(authorization.expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60 * 1000);
    // The verifier is only on the server, sealed.
    const [stateRow] = await queryAsSuperuser<{ code_verifier: string }>(db.url, 'select code_verifier from oauth_states where state_hash = $1', [
      hashState(authorization.state),
    ]);
    expect(stateRow?.code_verifier).toMatch(/^v1\.k2\./);

    const callback = await oidc.authorize(authorization.authorizationUrl, { accountId: 'alice' });
    expect(callback.get('iss')).toBe(oidc.issuer);
    const integration = await services.connections.completeConnectionFromCallback(callback);
    expect(integration).toMatchObject({ providerId: 'google', status: 'connected', connectedBy: 'alice', needsReauthorization: false });
    expect(integration.metadata).toMatchObject({ email: 'alice@example.test', subject: 'alice' });
    expect(integration.scopes).toContain('https://www.googleapis.com/auth/calendar');

    const stored = await storedIntegration(db.url, integration.id);
    expect(stored.external_account_id).toBe('alice');
    expect(stored.token_key_id).toBe('k2');
    expect(stored.access_token).toMatch(/^v1\.k2\./);
    expect(stored.refresh_token).toMatch(/^v1\.k2\./);
    const accessToken = openIntegrationToken(cipher, integration.id, 'access_token', stored.access_token!);
    const refreshToken = openIntegrationToken(cipher, integration.id, 'refresh_token', stored.refresh_token!);
    expect(stored.access_token).not.toContain(accessToken);
    expect(await userinfoStatus(accessToken)).toBe(200);

    // Changes that no other topic announces (lastSyncAt, tokenExpiresAt) still reach read caches.
    const announced: string[] = [];
    const watch = pubsub.watchOrganizations({ changed: (organizationId) => announced.push(organizationId), gap: () => undefined });

    // A fresh token is used as is: no refresh.
    expect(await services.tokens.withAccessToken(integration.id, async (token) => token)).toBe(accessToken);
    expect(oidc.refreshRequests()).toHaveLength(0);
    await settle();
    expect(announced).toEqual([principal.organizationId]); // the first sync time

    // Expired: refreshed first, the rotated refresh token stored with the new access token.
    await expireAccessToken(db.url, integration.id);
    const refreshed = await services.tokens.withAccessToken(integration.id, async (token) => token);
    expect(refreshed).not.toBe(accessToken);
    expect(await userinfoStatus(refreshed)).toBe(200);
    expect(oidc.refreshRequests()).toHaveLength(1);
    const afterRefresh = await storedIntegration(db.url, integration.id);
    expect(afterRefresh.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 30 * 60 * 1000);
    expect(afterRefresh.last_sync_at).not.toBeNull();
    const rotated = openIntegrationToken(cipher, integration.id, 'refresh_token', afterRefresh.refresh_token!);
    expect(rotated).not.toBe(refreshToken);
    expect(openIntegrationToken(cipher, integration.id, 'access_token', afterRefresh.access_token!)).toBe(refreshed);
    await settle();
    expect(announced).toEqual([principal.organizationId, principal.organizationId]); // the new expiry
    watch.stop();

    // testIntegration goes through the same token path.
    const health = await services.tests.testIntegration(principal, integration.id);
    expect(health).toMatchObject({ healthy: true, error: null });
    expect(health.latencyMs).not.toBeNull();

    // Disconnect: revoked at the server (observed there), wiped here, DISCONNECTED, published.
    const disconnected = await services.disconnects.disconnectIntegration(principal, integration.id);
    expect(disconnected).toMatchObject({ status: 'disconnected', errorMessage: null });
    expect(oidc.revocationRequests()).toHaveLength(1);
    expect(oidc.revocationRequests()[0]?.form?.get('token_type_hint')).toBe('refresh_token');
    expect(oidc.revocationRequests()[0]?.form?.get('client_secret')).toBeNull();
    expect((await refreshDirectly(`${oidc.issuer}/token`, rotated)).body.error).toBe('invalid_grant');
    const wiped = await storedIntegration(db.url, integration.id);
    expect(wiped).toMatchObject({ status: 'disconnected', access_token: null, refresh_token: null, token_key_id: null });

    await settle();
    changes.stop();
    expect(changes.messages.map((message) => message.status)).toEqual(['connected', 'disconnected']);
    expect(JSON.stringify(changes.messages)).not.toContain(refreshed);
    // Nothing secret was logged along the way.
    const logs = harness.logLines.join('\n');
    expect(harness.logLines.length).toBeGreaterThan(3);
    for (const secret of [accessToken, refreshToken, refreshed, rotated, callback.get('code')!, CLIENT_SECRET]) expect(logs).not.toContain(secret);
  });

  it('reconnecting revives the same row, and the GraphQL path needs the state to be the caller’s', async () => {
    const { services } = harness;
    const alice = newPrincipal('alice');
    const first = await services.connections.startConnection(alice, { providerId: 'google', redirectUri: REDIRECT_URI });
    const firstCallback = await oidc.authorize(first.authorizationUrl, { accountId: 'alice' });
    const connected = await services.connections.completeConnection(alice, { state: first.state, code: firstCallback.get('code') });
    await services.disconnects.disconnectIntegration(alice, connected.id);

    const second = await services.connections.startConnection(alice, { providerId: 'google', redirectUri: REDIRECT_URI });
    const secondCallback = await oidc.authorize(second.authorizationUrl, { accountId: 'alice' });
    // Someone else of the same organization cannot use it, and trying does not burn it.
    const bob = principalOf(alice.organizationId, 'bob', ['admin']);
    await expect(services.connections.completeConnection(bob, { state: second.state, code: secondCallback.get('code') })).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    });
    const revived = await services.connections.completeConnection(alice, { state: second.state, code: secondCallback.get('code') });
    expect(revived.id).toBe(connected.id);
    expect(revived.status).toBe('connected');
  });

  it('GET /oauth/callback redirects to the UI with ?connected= or ?error=', async () => {
    const handler = createOAuthCallbackHandler({ connections: harness.services.connections, uiUrl: 'http://localhost:5173/integrations' });
    const app = express().use(oauthCallbackRouter(handler));
    ui = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    const base = `http://127.0.0.1:${(ui.address() as AddressInfo).port}`;
    const follow = async (query: URLSearchParams) => {
      const response = await fetch(`${base}/oauth/callback?${query}`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('cache-control')).toBe('no-store');
      return new URL(response.headers.get('location')!);
    };

    const principal = newPrincipal('carol');
    const ok = await harness.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const landed = await follow(await oidc.authorize(ok.authorizationUrl, { accountId: 'carol' }));
    expect(landed.toString()).toBe('http://localhost:5173/integrations?connected=google');

    const declined = await harness.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const declinedCallback = await oidc.authorize(declined.authorizationUrl, { decline: true });
    expect(declinedCallback.get('error')).toBe('access_denied');
    expect((await follow(declinedCallback)).searchParams.get('error')).toBe('access_denied');

    expect((await follow(new URLSearchParams({ code: 'abc' }))).searchParams.get('error')).toBe('OAUTH_STATE_INVALID');
  });

  it('in forward mode hands the callback to the UI, where only the user who started it completes it', async () => {
    const forward = createOAuthCallbackHandler({ connections: harness.services.connections, uiUrl: 'http://localhost:5173/', mode: 'forward' });
    const dave = newPrincipal('dave');
    const started = await harness.services.connections.startConnection(dave, { providerId: 'google', redirectUri: REDIRECT_URI });
    const callback = await oidc.authorize(started.authorizationUrl, { accountId: 'dave' });
    callback.set('extra', '<script>');

    const landed = new URL(await forward(callback));
    expect([...landed.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state'].filter((name) => callback.has(name)).sort());
    expect(landed.searchParams.get('state')).toBe(started.state);
    // Nothing was completed or consumed on the way.
    expect(await queryAsSuperuser(db.url, 'select id from integrations where organization_id = $1', [dave.organizationId])).toEqual([]);

    // A link someone else started, completed in another user's session, connects nothing; the owner's session still can.
    const victim = newPrincipal('victim');
    const input = { state: landed.searchParams.get('state')!, code: landed.searchParams.get('code'), iss: landed.searchParams.get('iss') };
    await expect(harness.services.connections.completeConnection(victim, input)).rejects.toMatchObject({ code: 'OAUTH_STATE_INVALID' });
    const connected = await harness.services.connections.completeConnection(dave, input);
    expect(connected).toMatchObject({ organizationId: dave.organizationId, status: 'connected' });
  });

  it('checks the iss a UI passes to completeConnection (RFC 9207)', async () => {
    const erin = newPrincipal('erin');
    const started = await harness.services.connections.startConnection(erin, { providerId: 'google', redirectUri: REDIRECT_URI });
    const callback = await oidc.authorize(started.authorizationUrl, { accountId: 'erin' });
    await expect(
      harness.services.connections.completeConnection(erin, { state: started.state, code: callback.get('code'), iss: 'https://attacker.example' }),
    ).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED' });
  });
});

describe('refusals', () => {
  const start = (overrides: Partial<{ providerId: string; redirectUri: string; scopes: string[] }> = {}) =>
    harness.services.connections.startConnection(newPrincipal(), { providerId: 'google', redirectUri: REDIRECT_URI, ...overrides });

  it('refuses an unknown provider, an unconfigured one, a redirect URI off the list, and an unknown scope', async () => {
    await expect(start({ providerId: 'no-such-provider' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(start({ providerId: 'slack' })).rejects.toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });
    await expect(start({ redirectUri: 'https://evil.example/oauth/callback' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(start({ scopes: ['https://www.googleapis.com/auth/calendar', 'admin:everything'] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('admin:everything'),
    });
  });

  it('refuses a missing, unknown, expired and replayed state', async () => {
    const { connections } = harness.services;
    await expect(connections.completeConnectionFromCallback(new URLSearchParams({ code: 'x' }))).rejects.toMatchObject({ code: 'OAUTH_STATE_INVALID' });
    await expect(connections.completeConnectionFromCallback(new URLSearchParams({ code: 'x', state: 'never-issued' }))).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    });

    const principal = newPrincipal();
    const expired = await connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    await queryAsSuperuser(db.url, "update oauth_states set expires_at = now() - interval '1 second' where state_hash = $1", [hashState(expired.state)]);
    await expect(connections.completeConnection(principal, { state: expired.state, code: 'x' })).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
      message: expect.stringContaining('expired'),
    });

    const used = await connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const callback = await oidc.authorize(used.authorizationUrl);
    await connections.completeConnectionFromCallback(callback);
    await expect(connections.completeConnectionFromCallback(callback)).rejects.toMatchObject({ code: 'OAUTH_STATE_INVALID' });
  });

  it('refuses a state issued to another organization', async () => {
    const { connections } = harness.services;
    const issued = await connections.startConnection(newPrincipal('alice'), { providerId: 'google', redirectUri: REDIRECT_URI });
    await expect(connections.completeConnection(newPrincipal('alice'), { state: issued.state, code: 'x' })).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    });
  });

  it('refuses a callback whose iss is not the provider’s (RFC 9207), storing nothing', async () => {
    const principal = newPrincipal();
    const issued = await harness.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const callback = await oidc.authorize(issued.authorizationUrl);
    callback.set('iss', 'https://attacker.example');
    const tokenRequests = oidc.requests.filter((request) => request.path === '/token').length;
    await expect(harness.services.connections.completeConnectionFromCallback(callback)).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED' });
    // Refused before the code went anywhere.
    expect(oidc.requests.filter((request) => request.path === '/token')).toHaveLength(tokenRequests);
    expect(await queryAsSuperuser(db.url, 'select id from integrations where organization_id = $1', [principal.organizationId])).toEqual([]);
  });

  it('reports OAUTH_EXCHANGE_FAILED when the server rejects the PKCE verifier', async () => {
    const principal = newPrincipal();
    const issued = await harness.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const stateHash = hashState(issued.state);
    const wrongVerifier = harness.cipher.seal('a'.repeat(43), { ownerId: stateHash, column: 'code_verifier' });
    await queryAsSuperuser(db.url, 'update oauth_states set code_verifier = $1 where state_hash = $2', [wrongVerifier, stateHash]);
    const callback = await oidc.authorize(issued.authorizationUrl);
    await expect(harness.services.connections.completeConnectionFromCallback(callback)).rejects.toMatchObject({
      code: 'OAUTH_EXCHANGE_FAILED',
      details: expect.objectContaining({ providerError: 'invalid_grant' }),
    });
  });

  it('a declined consent stores nothing and says so', async () => {
    const principal = newPrincipal();
    const issued = await harness.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    await expect(harness.services.connections.completeConnection(principal, { state: issued.state, error: 'access_denied' })).rejects.toMatchObject({
      code: 'OAUTH_EXCHANGE_FAILED',
      message: expect.stringContaining('declined'),
    });
    expect(await queryAsSuperuser(db.url, 'select id from integrations where organization_id = $1', [principal.organizationId])).toEqual([]);
  });

  it('marks the integration ERROR with needsReauthorization when the refresh token is refused (invalid_grant)', async () => {
    const { services, cipher, pubsub } = harness;
    const principal = newPrincipal('dave');
    const issued = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl, { accountId: 'dave' }));
    const stored = await storedIntegration(db.url, integration.id);
    // The user revokes our access at the provider.
    expect(await revokeDirectly(`${oidc.issuer}/token/revocation`, openIntegrationToken(cipher, integration.id, 'refresh_token', stored.refresh_token!))).toBe(200);
    await expireAccessToken(db.url, integration.id);
    const changes = recordStatusChanges(pubsub, principal.organizationId);

    let called = false;
    await expect(
      services.tokens.withAccessToken(integration.id, async () => {
        called = true;
      }),
    ).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED', details: expect.objectContaining({ needsReauthorization: true }) });
    expect(called).toBe(false);
    const dead = await storedIntegration(db.url, integration.id);
    expect(dead).toMatchObject({ status: 'error', needs_reauthorization: true });
    expect(dead.error_message).toMatch(/reconnect/i);
    await settle();
    changes.stop();
    expect(changes.messages).toEqual([expect.objectContaining({ id: integration.id, status: 'error', needsReauthorization: true })]);
    // From then on it fails fast, without asking the provider again.
    const refreshes = oidc.refreshRequests().length;
    await expect(services.tokens.withAccessToken(integration.id, async () => 'x')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(oidc.refreshRequests()).toHaveLength(refreshes);
  });

  it('refreshes once and retries once when the provider refuses the access token (401)', async () => {
    const { services } = harness;
    const principal = newPrincipal('erin');
    const issued = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl, { accountId: 'erin' }));
    const refreshes = oidc.refreshRequests().length;
    const seen: string[] = [];
    const result = await services.tokens.withAccessToken(integration.id, async (token) => {
      seen.push(token);
      if (seen.length === 1) throw Object.assign(new Error('401 from provider'), { statusCode: 401 });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
    expect(oidc.refreshRequests()).toHaveLength(refreshes + 1);
  });

  it('only an admin or the connecting user may disconnect; another organization sees NOT_FOUND', async () => {
    const { services } = harness;
    const alice = newPrincipal('alice');
    const issued = await services.connections.startConnection(alice, { providerId: 'google', redirectUri: REDIRECT_URI });
    const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl));
    await expect(services.disconnects.disconnectIntegration(principalOf(alice.organizationId, 'bob'), integration.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(services.disconnects.disconnectIntegration(newPrincipal('alice', ['admin']), integration.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const done = await services.disconnects.disconnectIntegration(principalOf(alice.organizationId, 'bob', ['admin']), integration.id);
    expect(done.status).toBe('disconnected');
  });
});

describe('testIntegration', () => {
  it('a refused token gets one refresh and a retry; refused again, the integration is ERROR with a message', async () => {
    const db2 = db;
    let answers: boolean[] = [];
    const { services, pubsub } = buildServices(db2.database, testConfig(oidc.issuer), {
      google: async () => answers.shift() ?? false,
    });
    try {
      const principal = newPrincipal('frank');
      const issued = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
      const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl, { accountId: 'frank' }));

      const refreshes = oidc.refreshRequests().length;
      answers = [false, true];
      expect(await services.tests.testIntegration(principal, integration.id)).toMatchObject({ healthy: true, error: null });
      expect(oidc.refreshRequests()).toHaveLength(refreshes + 1);

      const changes = recordStatusChanges(pubsub, principal.organizationId);
      answers = [false, false];
      const failed = await services.tests.testIntegration(principal, integration.id);
      expect(failed).toMatchObject({ healthy: false, error: expect.stringContaining('did not accept') });
      expect(failed.integration).toMatchObject({ status: 'error', errorMessage: expect.stringContaining('did not accept') });
      await settle();
      changes.stop();
      expect(changes.messages.map((message) => message.status)).toEqual(['error']);
    } finally {
      await pubsub.close();
    }
  });
  it('a provider rate limiting the test leaves the integration as it was; any other refusal shows the provider’s own words', async () => {
    const google = createFakeGoogle();
    await google.server.start();
    const answers: FakeResponse[] = [];
    google.server.route('GET', '/oauth2/v3/userinfo', () => answers.shift() ?? { json: { sub: '110169484474386276334' } });
    const client = new GoogleClient(
      resolveProvider('google', { providers: { google: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiBaseUrl: google.server.url } } }),
      { retry: { maxAttempts: 2, initialDelay: 5, maxDelay: 10 }, breakers: new ProviderBreakerRegistry() },
    );
    const { services, pubsub } = buildServices(db.database, testConfig(oidc.issuer), { google: (accessToken) => client.testConnection(accessToken) });
    try {
      const principal = newPrincipal('grace');
      const issued = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
      const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl, { accountId: 'grace' }));
      const refreshes = oidc.refreshRequests().length;

      answers.push(googleUserRateLimitExceeded(), googleUserRateLimitExceeded());
      const limited = await services.tests.testIntegration(principal, integration.id);
      expect(limited).toMatchObject({ healthy: false, error: expect.stringContaining('google rate limit reached (HTTP 403): userRateLimitExceeded') });
      expect(limited.integration).toMatchObject({ status: 'connected', errorMessage: null });
      // A rate limit says nothing about the token: no refresh.
      expect(oidc.refreshRequests()).toHaveLength(refreshes);

      answers.push(googleReasonError(403, 'forbidden', 'The caller does not have permission'));
      const refused = await services.tests.testIntegration(principal, integration.id);
      const said = 'google rejected the request (HTTP 403): forbidden: The caller does not have permission';
      expect(refused).toMatchObject({ healthy: false, error: said });
      expect(refused.integration).toMatchObject({ status: 'error', errorMessage: said });
      expect(oidc.refreshRequests()).toHaveLength(refreshes);
    } finally {
      await pubsub.close();
      await google.server.close();
    }
  });

  it('a refresh token the provider refuses makes one ERROR message, though the token manager and the test both see it', async () => {
    const { services, pubsub, published, cipher } = buildServices(db.database, testConfig(oidc.issuer), {
      google: async (accessToken) => (await userinfoStatus(accessToken)) === 200,
    });
    try {
      const principal = newPrincipal('grace');
      const issued = await services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
      const integration = await services.connections.completeConnectionFromCallback(await oidc.authorize(issued.authorizationUrl, { accountId: 'grace' }));
      const stored = await storedIntegration(db.url, integration.id);
      expect(await revokeDirectly(`${oidc.issuer}/token/revocation`, openIntegrationToken(cipher, integration.id, 'refresh_token', stored.refresh_token!))).toBe(200);
      await expireAccessToken(db.url, integration.id);
      const changes = recordStatusChanges(pubsub, principal.organizationId);
      const announced = () => published.of('integrationStatusChanged').filter((message) => message.id === integration.id && message.status === 'error');

      const result = await services.tests.testIntegration(principal, integration.id);
      expect(result).toMatchObject({ healthy: false, integration: { status: 'error', needsReauthorization: true, errorMessage: expect.stringMatching(/reconnect/i) } });
      await settle();
      expect(announced()).toHaveLength(1);
      expect(changes.messages).toEqual([expect.objectContaining({ id: integration.id, status: 'error', needsReauthorization: true })]);

      // Tested again: the verdict stands and nothing changed, so nothing is announced.
      expect(await services.tests.testIntegration(principal, integration.id)).toMatchObject({ healthy: false, integration: { status: 'error' } });
      await settle();
      changes.stop();
      expect(announced()).toHaveLength(1);
      expect(changes.messages).toHaveLength(1);
    } finally {
      await pubsub.close();
    }
  });
});
