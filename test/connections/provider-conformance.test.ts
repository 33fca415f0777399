import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { connectionTesters } from '../../src/connections/connection-testers.js';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { hasClientClass } from '../../src/providers/clients/provider-client-registry.js';
import type { ProviderDefinition } from '../../src/providers/provider-definition.js';
import { parseProviderEntry, wholeValue } from '../../src/providers/provider-entry-schema.js';
import { envPrefix } from '../../src/providers/provider-settings.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import { QUIRK_FIXTURE_ENTRIES } from '../support/quirk-fixture-entries.js';
import { startQuirksFront, type QuirksFront } from '../support/quirks-front.js';
import { REDIRECT_URI, TEST_KEYS, buildServices, expireAccessToken, newPrincipal, storedIntegration, type Harness } from './connection-harness.js';

/**
 * The whole OAuth flow (authorize → callback → token → connection test → refresh → revoke where
 * offered) for each distinct combination of quirks the registry's entries use, against
 * oidc-provider with the quirks layer (test/support/quirks-front.ts) in front. Combinations are
 * derived from the registry when the test runs, so every catalog entry is covered by its
 * combination's representative without a line here.
 */

/** What makes two entries behave differently on the wire during connect, refresh and revoke. */
function quirksOf(definition: ProviderDefinition): Record<string, unknown> {
  const { tokenResponse: shape, refresh, revocation, account } = definition;
  return {
    clientAuth: definition.tokenEndpointAuthMethod,
    pkce: definition.pkce,
    scopeSeparator: definition.scopeSeparator,
    tokenRequest: definition.tokenRequest.body,
    tokenShape: {
      format: shape.format,
      nested: shape.tokenPaths.at(-1) !== '',
      errors: shape.errors,
      ownTokenType: shape.bearerTokenTypes.length > 0,
      expires: shape.expires,
      responseScopes: shape.scopeSeparator ?? definition.scopeSeparator,
    },
    refresh: { supported: refresh.supported, rotation: refresh.rotation, ownUrl: refresh.url !== undefined },
    revocation:
      revocation.kind === 'rfc7009'
        ? `rfc7009:${revocation.authenticateClient}`
        : revocation.kind === 'client-api'
          ? `client-api:${revocation.clientAuth}:${revocation.tokenField ? 'json' : /[?&][^=&]+=\{token\}/.test(revocation.url) ? 'query' : 'path'}`
          : revocation.kind,
    account: account ? `${account.from}${account.from === 'request' ? `:${account.method}${account.body ? '+body' : ''}` : ''}` : 'none',
    headersWithParams: Object.values(definition.apiHeaders).some((value) => value.includes('{')),
    apiAuthorization: `${definition.apiAuthorization.header}:${definition.apiAuthorization.prefix}`,
    connectionParams: definition.connectionParams.length > 0,
    learned: [...new Set(definition.learnedParams.map((param) => param.from))].sort(),
  };
}

const combinations = new Map<string, ProviderDefinition[]>();
for (const definition of BUILT_IN_PROVIDERS.values()) {
  const key = JSON.stringify(quirksOf(definition));
  combinations.set(key, [...(combinations.get(key) ?? []), definition]);
}
/** One representative per combination, named with the entries it stands for. */
const cases = [...combinations.values()].map((entries) => ({ representative: entries[0]!, covers: entries.map((entry) => entry.id).join(', ') }));

/** Shapes real providers need that no registry entry uses yet: made-up entries added with PROVIDERS_FILE. */
const fixtures = QUIRK_FIXTURE_ENTRIES.map((input) => {
  const parsed = parseProviderEntry(input);
  if (!parsed.success) throw new Error(`fixture ${input.id}: ${JSON.stringify(parsed.problems)}`);
  return { input, definition: parsed.entry };
}).filter(({ definition }) => !combinations.has(JSON.stringify(quirksOf(definition))));
cases.push(...fixtures.map(({ definition }) => ({ representative: definition, covers: `${definition.id}, a shape no registry entry uses yet` })));

/** A value the pattern accepts, for params the test has to make up. */
function sampleFor(pattern: string, origin: string, example?: string): string {
  const candidates = [example, 'acme', 'acme-1', 'a1b2c3', '12345', origin].filter((value): value is string => value !== undefined);
  const found = candidates.find((value) => wholeValue(pattern).test(value));
  if (!found) throw new Error(`no sample value fits ${pattern}: give the param an example`);
  return found;
}

const LOGIN = 'ada';
let db: TestDatabase;
let oidc: OidcServer;
let harness: Harness;
let directory: string;
const fronts = new Map<string, QuirksFront>();
/** Claims of ID tokens that entries read the account from (`tid`, …). */
const claims: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  const representatives = cases.map((entry) => entry.representative);
  for (const definition of representatives) {
    if (definition.account?.from !== 'id_token') continue;
    for (const paths of [definition.account.id, ...Object.values(definition.account.fields)]) {
      for (const claim of typeof paths === 'string' ? [paths] : paths) {
        if (!['sub', 'email', 'email_verified', 'name'].includes(claim)) claims[claim] = `${claim}-value`;
      }
    }
  }
  const clients = representatives.map((definition) => ({
    clientId: `conformance-${definition.id}`,
    clientSecret: `conformance-secret-${definition.id}-0123456789`,
    tokenEndpointAuthMethod: definition.tokenEndpointAuthMethod,
    pkceRequired: definition.pkce === 'required',
    issueRefreshToken: definition.refresh.supported,
    rotateRefreshToken: definition.refresh.rotation,
  }));
  oidc = await startOidcServer({
    ...clients[0]!,
    clients: clients.slice(1),
    redirectUri: REDIRECT_URI,
    scopes: representatives.flatMap((definition) => definition.scopes.map((scope) => scope.name)),
    claims,
  });

  // The entries moved onto their fronts, as a deployment would override them with PROVIDERS_FILE.
  const overrides: Record<string, Record<string, unknown>> = {};
  const env: Record<string, string> = { NODE_ENV: 'test', ALLOWED_REDIRECT_URIS: REDIRECT_URI, INTEGRATION_ENCRYPTION_KEYS: TEST_KEYS };
  for (const [index, definition] of representatives.entries()) {
    const client = clients[index]!;
    const front = await startQuirksFront({ definition, clientId: client.clientId, clientSecret: client.clientSecret, oidc, claims, learnedValues: {} });
    for (const param of definition.learnedParams) front.learnedValues[param.name] = sampleFor(param.pattern, front.origin);
    fronts.set(definition.id, front);
    const fixture = fixtures.find((candidate) => candidate.definition.id === definition.id);
    overrides[definition.id] = { ...fixture?.input, ...front.urlOverrides() };
    const prefix = envPrefix(definition.id);
    env[`${prefix}_CLIENT_ID`] = client.clientId;
    env[`${prefix}_CLIENT_SECRET`] = client.clientSecret;
    for (const param of definition.configParams) {
      if (param.default === undefined) env[`${prefix}_${param.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`] = sampleFor(param.pattern, front.origin);
    }
  }
  directory = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  const file = path.join(directory, 'providers.json');
  writeFileSync(file, JSON.stringify(overrides));
  const config = loadConfig({ ...env, PROVIDERS_FILE: file });
  // The generic connection test of every entry without a client class of its own (the seed's
  // clients call their providers' own APIs, which the front does not speak).
  const testers = Object.fromEntries(Object.entries(connectionTesters(config)).filter(([id]) => !hasClientClass(id)));
  harness = buildServices(db.database, config, testers);
}, 60_000);

afterAll(async () => {
  await harness?.pubsub.close();
  await Promise.all([...fronts.values()].map((front) => front.close()));
  await oidc?.close();
  await db?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('every combination of quirks the registry uses connects, refreshes and revokes against a real OAuth server', () => {
  it('derives at least one combination per distinct entry shape', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1);
    const covered = cases.filter((entry) => BUILT_IN_PROVIDERS.has(entry.representative.id)).flatMap((entry) => entry.covers.split(', '));
    expect(covered.sort()).toEqual([...BUILT_IN_PROVIDERS.keys()].sort());
  });

  it.each(cases)('$representative.id (covers $covers)', async ({ representative: definition }) => {
    const front = fronts.get(definition.id)!;
    const { services, cipher } = harness;
    const principal = newPrincipal(LOGIN);
    const connectionParams = Object.fromEntries(definition.connectionParams.map((param) => [param.name, sampleFor(param.pattern, front.origin, param.example)]));

    // Authorize: the entry's separator, PKCE mode and params, every placeholder filled.
    const started = await services.connections.startConnection(principal, { providerId: definition.id, redirectUri: REDIRECT_URI, connectionParams });
    const authorization = new URL(started.authorizationUrl);
    expect(authorization.origin).toBe(front.origin);
    for (const value of Object.values(connectionParams)) {
      if (definition.authorizationUrl.includes('{')) expect(decodeURIComponent(started.authorizationUrl)).toContain(value);
    }
    const callback = await oidc.authorize(started.authorizationUrl, { accountId: LOGIN });
    expect(callback.get('error')).toBeNull();
    for (const param of definition.learnedParams) if (param.from === 'callback') callback.set(param.path, front.learnedValues[param.name]!);

    // Callback → token: connected, tokens that work at the server, the account and params kept.
    const integration = await services.connections.completeConnectionFromCallback(callback);
    expect(integration).toMatchObject({ providerId: definition.id, status: 'connected' });
    const stored = await storedIntegration(db.url, integration.id);
    const accessToken = openIntegrationToken(cipher, integration.id, 'access_token', stored.access_token!);
    expect(await oidc.provider.AccessToken.find(accessToken)).toMatchObject({ accountId: LOGIN });
    expect(stored.external_account_id).toBe(definition.account ? front.expectedAccountId(LOGIN) : null);
    expect(stored.connection_params).toEqual({ ...connectionParams, ...front.learnedValues });
    expect(stored.token_expires_at === null).toBe(!definition.tokenResponse.expires);
    expect(stored.refresh_token === null).toBe(!definition.refresh.supported);

    // The connection test, for an entry without a client class: its lookup as the entry sends it,
    // with the token as the entry puts it and every API header filled from what connecting learned.
    if (!hasClientClass(definition.id) && (definition.account?.from === 'request' || definition.userinfoUrl)) {
      const health = await services.tests.testIntegration(principal, integration.id);
      expect(health).toMatchObject({ healthy: true, error: null });
      const test = front.requests.filter((request) => request.role === 'account' || request.role === 'userinfo').at(-1)!;
      for (const name of Object.keys(definition.apiHeaders)) expect(test.headers[name.toLowerCase()]).toBeDefined();
    }

    // Refresh, where the entry offers it: the new token works; rotation replaces the refresh token.
    if (definition.refresh.supported) {
      const refreshToken = openIntegrationToken(cipher, integration.id, 'refresh_token', stored.refresh_token!);
      await expireAccessToken(db.url, integration.id);
      const refreshed = await services.tokens.withAccessToken(integration.id, async (token) => token);
      expect(refreshed).not.toBe(accessToken);
      expect(await oidc.provider.AccessToken.find(refreshed)).toBeDefined();
      const after = await storedIntegration(db.url, integration.id);
      const nextRefreshToken = openIntegrationToken(cipher, integration.id, 'refresh_token', after.refresh_token!);
      expect(nextRefreshToken !== refreshToken).toBe(definition.refresh.rotation);
      expect(front.requests.some((request) => request.role === (definition.refresh.url ? 'refresh' : 'token') && request.params.get('grant_type') === 'refresh_token')).toBe(true);
    }

    // Disconnect: revoked at the server where the entry offers revocation, wiped here either way.
    const before = await storedIntegration(db.url, integration.id);
    const usedRefresh = before.refresh_token !== null && !(definition.revocation.kind === 'client-api' && definition.revocation.token === 'access_token');
    const revoked = openIntegrationToken(cipher, integration.id, usedRefresh ? 'refresh_token' : 'access_token', (usedRefresh ? before.refresh_token : before.access_token)!);
    const disconnected = await services.disconnects.disconnectIntegration(principal, integration.id);
    expect(disconnected).toMatchObject({ status: 'disconnected', errorMessage: null });
    const revocations = front.requests.filter((request) => request.role === 'revoke');
    if (definition.revocation.kind === 'none') {
      expect(revocations).toEqual([]);
    } else {
      expect(revocations).toHaveLength(1);
      const model = usedRefresh ? oidc.provider.RefreshToken : oidc.provider.AccessToken;
      expect(await model.find(revoked)).toBeUndefined();
    }
    expect(await storedIntegration(db.url, integration.id)).toMatchObject({ access_token: null, refresh_token: null });
    expect(front.violations).toEqual([]);
  }, 60_000);
});
