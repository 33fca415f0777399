import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type App } from '../../src/app.js';
import { mintDevelopmentToken } from '../../src/auth/development-token.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, queryAsSuperuser, testConfig } from './connection-harness.js';

/**
 * The contract's mutations and `GET /oauth/callback` through the real application
 * (`createApp`: express, Apollo Server, JWT auth, error mapping), with Google played by a real
 * OAuth server on loopback.
 */
let db: TestDatabase;
let oidc: OidcServer;
let app: App;
let graphqlUrl: string;
const jwtSecret = randomBytes(32).toString('hex');

beforeAll(async () => {
  db = await createTestDatabase();
  oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
  const config = testConfig(oidc.issuer, {
    DATABASE_URL: db.url,
    AUTH_JWT_SECRET: jwtSecret,
    UI_URL: 'http://localhost:5173/',
    LOG_LEVEL: 'silent',
    // This OAuth server plays Google's authorization server, not its Calendar API: the default
    // subscription stays PENDING (test/subscriptions covers it against the provider fakes).
    SUBSCRIPTION_SCHEDULER: 'off',
  });
  app = await createApp(config);
  graphqlUrl = `${await app.listen(0, '127.0.0.1')}/graphql`;
});

afterAll(async () => {
  await app?.close();
  await oidc?.close();
  await db?.close();
});

interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

const tokenFor = (organizationId: string, userId: string, roles: string[] = []) =>
  mintDevelopmentToken(app.config.auth, { organizationId, userId, roles });

const START = /* GraphQL */ `
  mutation Start($input: StartConnectionInput!) {
    startConnection(input: $input) { authorizationUrl state expiresAt }
  }
`;

describe('connection mutations over GraphQL', () => {
  it('start → provider → /oauth/callback → CONNECTED → testIntegration → disconnectIntegration', async () => {
    const organizationId = newOrganizationId();
    const token = await tokenFor(organizationId, 'alice');

    const started = await graphql<{ startConnection: { authorizationUrl: string; state: string; expiresAt: string } }>(token, START, {
      input: { providerId: 'google', redirectUri: REDIRECT_URI },
    });
    expect(started.errors).toBeUndefined();
    const { authorizationUrl, state } = started.data!.startConnection;
    expect(new URL(authorizationUrl).searchParams.get('state')).toBe(state);
    expect(JSON.stringify(started)).not.toMatch(/code_verifier/);

    const callback = await oidc.authorize(authorizationUrl);
    const landing = await fetch(`${graphqlUrl.replace(/\/graphql$/, '')}/oauth/callback?${callback}`, { redirect: 'manual' });
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('http://localhost:5173/?connected=google');

    const listed = await graphql<{ integrations: { id: string; status: string; metadata: Record<string, string> }[] }>(
      token,
      '{ integrations { id status providerId metadata needsReauthorization tokenExpiresAt } }',
    );
    expect(listed.data?.integrations).toHaveLength(1);
    const integration = listed.data!.integrations[0]!;
    expect(integration).toMatchObject({ status: 'CONNECTED', metadata: expect.objectContaining({ email: 'alice@example.test' }) });
    const [stored] = await queryAsSuperuser<{ access_token: string }>(db.url, 'select access_token from integrations where id = $1', [integration.id]);
    expect(JSON.stringify(listed)).not.toContain(stored!.access_token);

    const tested = await graphql<{ testIntegration: { healthy: boolean; latencyMs: number | null; error: string | null; integration: { status: string } } }>(
      token,
      'mutation Test($id: ID!) { testIntegration(id: $id) { healthy latencyMs error checkedAt integration { status lastSyncAt } } }',
      { id: integration.id },
    );
    expect(tested.errors).toBeUndefined();
    expect(tested.data!.testIntegration).toMatchObject({ healthy: true, error: null, integration: { status: 'CONNECTED' } });

    const bob = await tokenFor(organizationId, 'bob');
    const forbidden = await graphql(bob, 'mutation D($id: ID!) { disconnectIntegration(id: $id) { id } }', { id: integration.id });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const disconnected = await graphql<{ disconnectIntegration: { status: string } }>(
      token,
      'mutation D($id: ID!) { disconnectIntegration(id: $id) { id status errorMessage } }',
      { id: integration.id },
    );
    expect(disconnected.data?.disconnectIntegration.status).toBe('DISCONNECTED');
    expect(oidc.revocationRequests().length).toBeGreaterThanOrEqual(1);
  });

  it('maps service refusals to the contract’s error codes', async () => {
    const token = await tokenFor(newOrganizationId(), 'alice');
    const code = async (query: string, variables: Record<string, unknown>) => (await graphql(token, query, variables)).errors?.[0]?.extensions?.code;
    expect(await code(START, { input: { providerId: 'slack', redirectUri: REDIRECT_URI } })).toBe('PROVIDER_NOT_CONFIGURED');
    expect(await code(START, { input: { providerId: 'google', redirectUri: 'https://evil.example/cb' } })).toBe('BAD_USER_INPUT');
    expect(await code('mutation C($input: CompleteConnectionInput!) { completeConnection(input: $input) { id } }', { input: { state: 'nope', code: 'x' } })).toBe(
      'OAUTH_STATE_INVALID',
    );
    expect(await code('mutation T($id: ID!) { testIntegration(id: $id) { healthy } }', { id: newOrganizationId() })).toBe('NOT_FOUND');
  });
});
