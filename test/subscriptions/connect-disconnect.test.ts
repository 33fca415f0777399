import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { createTokenCipher } from '../../src/crypto/token-sealing.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from '../connections/connection-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import {
  graphql,
  insertConnectedIntegration,
  startProviderFakes,
  startSubscriptionApp,
  storedSubscription,
  subscribe,
  tokenFor,
  type ProviderFakes,
  type SubscriptionApp,
} from './support/subscription-harness.js';

/**
 * The edges of a connection's life: connecting (and reconnecting) creates the provider's default
 * subscriptions; disconnecting stops every subscription at the provider with the token that
 * still works, and only then revokes it (asserted on the request log the fakes and the OAuth
 * server share). A provider that is down does not block the disconnect.
 */
let db: TestDatabase;
let fakes: ProviderFakes;
let oidc: OidcServer;
let service: SubscriptionApp;
const organizationId = randomUUID();
let token: string;

beforeAll(async () => {
  db = await createTestDatabase();
  fakes = await startProviderFakes();
  oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, log: fakes.log, clock: fakes.clock });
  service = await startSubscriptionApp(db.url, fakes, {
    GOOGLE_CLIENT_ID: CLIENT_ID,
    GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
    GOOGLE_AUTHORIZATION_URL: `${oidc.issuer}/auth`,
    GOOGLE_TOKEN_URL: `${oidc.issuer}/token`,
    GOOGLE_REVOCATION_URL: `${oidc.issuer}/token/revocation`,
    GOOGLE_USERINFO_URL: `${oidc.issuer}/oauth2/v3/userinfo`,
    ASANA_CLIENT_ID: CLIENT_ID,
    ASANA_CLIENT_SECRET: CLIENT_SECRET,
    ASANA_REVOCATION_URL: `${oidc.issuer}/token/revocation`,
    ALLOWED_REDIRECT_URIS: REDIRECT_URI,
  });
  token = await tokenFor(service.app, organizationId);
});

afterAll(async () => {
  await service?.close();
  await oidc?.close();
  await fakes?.close();
  await db?.close();
});

const runDue = () => service.app.subscriptions.scheduler.runDue();

/** Connects Google through the real flow; the fake then accepts the access token the OAuth server issued. */
async function connectGoogle(): Promise<string> {
  const started = await graphql<{ startConnection: { authorizationUrl: string } }>(
    service.url,
    token,
    'mutation S($input: StartConnectionInput!) { startConnection(input: $input) { authorizationUrl } }',
    { input: { providerId: 'google', redirectUri: REDIRECT_URI } },
  );
  const callback = await oidc.authorize(started.data!.startConnection.authorizationUrl);
  const landing = await fetch(`${service.url}/oauth/callback?${callback}`, { redirect: 'manual' });
  expect(landing.status).toBe(303);
  const [row] = await service.app.database.asSystem((em) =>
    em.execute<{ id: string; access_token: string }[]>(`select id, access_token from integrations where organization_id = ? and provider_id = 'google'`, [organizationId]),
  );
  const cipher = createTokenCipher(createKeyRing(service.app.config.encryptionKeys));
  fakes.google.tokens.grant(openIntegrationToken(cipher, row!.id, 'access_token', row!.access_token));
  return row!.id;
}

const subscriptionsOf = async (integrationId: string) =>
  (
    await graphql<{ integration: { providerSubscriptions: { id: string; resource: string; status: string; lastError: string | null }[] } }>(
      service.url,
      token,
      'query I($id: ID!) { integration(id: $id) { providerSubscriptions { id resource status lastError } } }',
      { id: integrationId },
    )
  ).data!.integration.providerSubscriptions;

const disconnect = (integrationId: string) =>
  graphql<{ disconnectIntegration: { status: string; errorMessage: string | null } }>(
    service.url,
    token,
    'mutation D($id: ID!) { disconnectIntegration(id: $id) { status errorMessage } }',
    { id: integrationId },
  );

describe('connecting', () => {
  let googleId: string;

  it('creates the provider’s default subscriptions with the connection', async () => {
    googleId = await connectGoogle();
    expect(await subscriptionsOf(googleId)).toEqual([expect.objectContaining({ resource: 'calendar/primary', status: 'PENDING' })]);
    await runDue();
    expect(await subscriptionsOf(googleId)).toEqual([expect.objectContaining({ resource: 'calendar/primary', status: 'ACTIVE' })]);
  });

  it('disconnecting stops every subscription at the provider before the token is revoked', async () => {
    await subscribe(service.url, token, googleId, 'drive/changes');
    await runDue();
    const channels = (await subscriptionsOf(googleId)).map((subscription) => subscription.status);
    expect(channels).toEqual(['ACTIVE', 'ACTIVE']);
    const live = [...fakes.google.channels.channels.values()].filter((channel) => fakes.google.channels.isLive(channel.id));
    expect(live).toHaveLength(2);

    const result = await disconnect(googleId);
    expect(result.data!.disconnectIntegration).toEqual({ status: 'DISCONNECTED', errorMessage: null });
    expect(live.every((channel) => !fakes.google.channels.isLive(channel.id))).toBe(true);

    const stops = fakes.log.filter({ provider: 'google', direction: 'in', path: /\/v3\/channels\/stop$/ });
    const revocation = fakes.log.first({ provider: 'oauth', direction: 'in', path: '/token/revocation' });
    expect(stops).toHaveLength(2);
    for (const stop of stops) {
      expect(stop.status).toBe(204);
      expect(stop.answeredSeq!).toBeLessThan(revocation.seq);
    }
    expect((await subscriptionsOf(googleId)).map((subscription) => subscription.status)).toEqual(['STOPPED', 'STOPPED']);

    // A late notification on a stopped channel is refused, not stored.
    const late = await fakes.google.channels.changeCalendar('primary');
    expect(late).toEqual([]); // the fake no longer delivers on stopped channels
  });

  it('reconnecting brings the default subscriptions back', async () => {
    const again = await connectGoogle();
    expect(again).toBe(googleId);
    const subscriptions = await subscriptionsOf(googleId);
    expect(subscriptions.find((subscription) => subscription.resource === 'calendar/primary')!.status).toBe('PENDING');
    expect(subscriptions.find((subscription) => subscription.resource === 'drive/changes')!.status).toBe('STOPPED');
    await runDue();
    expect((await subscriptionsOf(googleId)).find((subscription) => subscription.resource === 'calendar/primary')!.status).toBe('ACTIVE');
  });
});

describe('disconnecting Asana', () => {
  it('deletes the webhook before revoking the token', async () => {
    const asanaId = await insertConnectedIntegration(service.app, organizationId, 'asana');
    await subscribe(service.url, token, asanaId, '1200000000000200');
    await runDue();
    const [webhook] = await subscriptionsOf(asanaId);
    expect(webhook!.status).toBe('ACTIVE');
    const revocationsBefore = oidc.revocationRequests().length;

    expect((await disconnect(asanaId)).data!.disconnectIntegration.status).toBe('DISCONNECTED');
    const deleted = fakes.log.filter({ provider: 'asana', direction: 'in', method: 'DELETE' }).at(-1)!;
    const revocation = fakes.log.filter({ provider: 'oauth', direction: 'in', path: '/token/revocation' }).at(-1)!;
    expect(oidc.revocationRequests().length).toBe(revocationsBefore + 1);
    expect(deleted.status).toBe(200);
    expect(deleted.answeredSeq!).toBeLessThan(revocation.seq);
    expect(fakes.asana.webhooks.webhooks.size).toBe(0);
  });
});

describe('a provider that is down at disconnect', () => {
  it('does not block it: the subscription is STOPPED with what could not be done recorded', async () => {
    const microsoftId = await insertConnectedIntegration(service.app, organizationId, 'microsoft');
    const { id } = await subscribe(service.url, token, microsoftId, '/me/events');
    await runDue();
    const graphId = (await storedSubscription(service.app, id)).external_id as string;
    await fakes.microsoft.server.refuseConnections();
    try {
      const result = await disconnect(microsoftId);
      expect(result.data!.disconnectIntegration.status).toBe('DISCONNECTED');
    } finally {
      await fakes.microsoft.server.acceptConnections();
    }
    const row = await storedSubscription(service.app, id);
    expect(row).toMatchObject({ status: 'stopped', renew_at: null });
    expect(row.last_error).toMatch(/could not be stopped at microsoft/);
    expect(row.last_error).toMatch(/when it expires/);
    // Graph still has it until it expires; its notifications are acknowledged and dropped.
    expect(fakes.microsoft.subscriptions.get(graphId)).toBeDefined();
    const [delivery] = await fakes.microsoft.subscriptions.notify([{ subscriptionId: graphId }]);
    expect(delivery!.status).toBe(202);
    const stored = await service.app.database.asSystem((em) => em.execute(`select id from webhook_events where provider_subscription_id = ?`, [id]));
    expect(stored).toEqual([]);
  });
});
