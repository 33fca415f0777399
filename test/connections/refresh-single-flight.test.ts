import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, type Database } from '../../src/db/database.js';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  buildServices,
  expireAccessToken,
  newPrincipal,
  storedIntegration,
  testConfig,
  type Harness,
} from './connection-harness.js';

let db: TestDatabase;
let secondDatabase: Database;
let oidc: OidcServer;
let first: Harness;
let second: Harness;

beforeAll(async () => {
  db = await createTestDatabase();
  // A second, independent ORM instance and pool on the same database: what a second replica has.
  secondDatabase = await createDatabase({ databaseUrl: db.url, migrate: false });
  oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
  const config = testConfig(oidc.issuer);
  first = buildServices(db.database, config);
  second = buildServices(secondDatabase, config);
});

afterAll(async () => {
  await first?.pubsub.close();
  await second?.pubsub.close();
  await oidc?.close();
  await secondDatabase?.close();
  await db?.close();
});

describe('token refresh is single-flight across ORM instances', () => {
  it('200 concurrent calls on an expired token, from two Database objects, cause exactly one refresh', async () => {
    const principal = newPrincipal('alice');
    const authorization = await first.services.connections.startConnection(principal, { providerId: 'google', redirectUri: REDIRECT_URI });
    const integration = await first.services.connections.completeConnectionFromCallback(await oidc.authorize(authorization.authorizationUrl));
    const before = await storedIntegration(db.url, integration.id);
    const oldAccessToken = openIntegrationToken(first.cipher, integration.id, 'access_token', before.access_token!);
    await expireAccessToken(db.url, integration.id);

    const managers = [first.services.tokens, second.services.tokens];
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, index) => managers[index % 2]!.withAccessToken(integration.id, async (token) => token)),
    );

    expect(oidc.refreshRequests()).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(oldAccessToken);
    const after = await storedIntegration(db.url, integration.id);
    expect(after.status).toBe('connected');
    expect(openIntegrationToken(first.cipher, integration.id, 'access_token', after.access_token!)).toBe(tokens[0]);
  });
});
