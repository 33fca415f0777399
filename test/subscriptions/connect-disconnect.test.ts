import { afterAll, describe, expect, it } from '@jest/globals';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../src/crypto/key-ring.js';
import { createTokenCipher } from '../../src/crypto/token-sealing.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from '../connections/connection-harness.js';
import { startOidcServer, type OidcServer } from '../support/oidc-server.js';
import { graphql, insertConnectedIntegration, storedSubscription, subscribe, useSubscriptionTest } from './support/subscription-harness.js';

/**
 * The edges of a connection's life: connecting (and reconnecting) creates the provider's default
 * subscriptions; disconnecting stops every subscription at the provider with the token that
 * still works, and only then revokes it (asserted on the request log the fakes and the OAuth
 * server share). A provider that is down does not block the disconnect.
 */
let oidc: OidcServer;
const test = useSubscriptionTest({
  beforeApp: async (fakes) => {
    oidc = await startOidcServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, log: test.fakes.log, clock: test.fakes.clock });
  },
  env: () => ({
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
  }),
});

afterAll(async () => {
  await oidc?.close();
});

/** Connects Google through the real flow; the fake then accepts the access token the OAuth server issued. */
async function connectGoogle(): Promise<string> {
  const started = await graphql<{ startConnection: { authorizationUrl: string } }>(
    test.service.url,
    test.token,
    'mutation S($input: StartConnectionInput!) { startConnection(input: $input) { authorizationUrl } }',
    { input: { providerId: 'google', redirectUri: REDIRECT_URI } },
  );
  const callback = await oidc.authorize(started.data!.startConnection.authorizationUrl);
  const landing = await fetch(`${test.service.url}/oauth/callback?${callback}`, { redirect: 'manual' });
  expect(landing.status).toBe(303);
  const [row] = await test.service.app.database.asSystem((em) =>
    em.execute<{ id: string; access_token: string }[]>(`select id, access_token from integrations where organization_id = ? and provider_id = 'google'`, [test.organizationId]),
  );
  const cipher = createTokenCipher(createKeyRing(test.service.app.config.encryptionKeys));
  test.fakes.google.tokens.grant(openIntegrationToken(cipher, row!.id, 'access_token', row!.access_token));
  return row!.id;
}

const subscriptionsOf = async (integrationId: string) =>
  (
    await graphql<{ integration: { providerSubscriptions: { id: string; resource: string; status: string; lastError: string | null }[] } }>(
      test.service.url,
      test.token,
      'query I($id: ID!) { integration(id: $id) { providerSubscriptions { id resource status lastError } } }',
      { id: integrationId },
    )
  ).data!.integration.providerSubscriptions;

const disconnect = (integrationId: string) =>
  graphql<{ disconnectIntegration: { status: string; errorMessage: string | null } }>(
    test.service.url,
    test.token,
    'mutation D($id: ID!) { disconnectIntegration(id: $id) { status errorMessage } }',
    { id: integrationId },
  );

describe('connecting', () => {
  let googleId: string;

  it('creates the provider’s default subscriptions with the connection', async () => {
    googleId = await connectGoogle();
    expect(await subscriptionsOf(googleId)).toEqual([expect.objectContaining({ resource: 'calendar/primary', status: 'PENDING' })]);
    await test.runDue();
    expect(await subscriptionsOf(googleId)).toEqual([expect.objectContaining({ resource: 'calendar/primary', status: 'ACTIVE' })]);
  });

  it('disconnecting stops every subscription at the provider before the token is revoked', async () => {
    await subscribe(test.service.url, test.token, googleId, 'drive/changes');
    await test.runDue();
    const channels = (await subscriptionsOf(googleId)).map((subscription) => subscription.status);
    expect(channels).toEqual(['ACTIVE', 'ACTIVE']);
    const live = [...test.fakes.google.channels.channels.values()].filter((channel) => test.fakes.google.channels.isLive(channel.id));
    expect(live).toHaveLength(2);

    const result = await disconnect(googleId);
    expect(result.data!.disconnectIntegration).toEqual({ status: 'DISCONNECTED', errorMessage: null });
    expect(live.every((channel) => !test.fakes.google.channels.isLive(channel.id))).toBe(true);

    const stops = test.fakes.log.filter({ provider: 'google', direction: 'in', path: /\/v3\/channels\/stop$/ });
    const revocation = test.fakes.log.first({ provider: 'oauth', direction: 'in', path: '/token/revocation' });
    expect(stops).toHaveLength(2);
    for (const stop of stops) {
      expect(stop.status).toBe(204);
      expect(stop.answeredSeq!).toBeLessThan(revocation.seq);
    }
    expect((await subscriptionsOf(googleId)).map((subscription) => subscription.status)).toEqual(['STOPPED', 'STOPPED']);

    // A late notification on a stopped channel is refused, not stored.
    const late = await test.fakes.google.channels.changeCalendar('primary');
    expect(late).toEqual([]); // the fake no longer delivers on stopped channels
  });

  it('reconnecting brings the default subscriptions back', async () => {
    const again = await connectGoogle();
    expect(again).toBe(googleId);
    const subscriptions = await subscriptionsOf(googleId);
    expect(subscriptions.find((subscription) => subscription.resource === 'calendar/primary')!.status).toBe('PENDING');
    expect(subscriptions.find((subscription) => subscription.resource === 'drive/changes')!.status).toBe('STOPPED');
    await test.runDue();
    expect((await subscriptionsOf(googleId)).find((subscription) => subscription.resource === 'calendar/primary')!.status).toBe('ACTIVE');
  });
});

describe('disconnecting Asana', () => {
  it('deletes the webhook before revoking the token', async () => {
    const asanaId = await insertConnectedIntegration(test.service.app, test.organizationId, 'asana');
    await subscribe(test.service.url, test.token, asanaId, '1200000000000200');
    await test.runDue();
    const [webhook] = await subscriptionsOf(asanaId);
    expect(webhook!.status).toBe('ACTIVE');
    const revocationsBefore = oidc.revocationRequests().length;

    expect((await disconnect(asanaId)).data!.disconnectIntegration.status).toBe('DISCONNECTED');
    const deleted = test.fakes.log.filter({ provider: 'asana', direction: 'in', method: 'DELETE' }).at(-1)!;
    const revocation = test.fakes.log.filter({ provider: 'oauth', direction: 'in', path: '/token/revocation' }).at(-1)!;
    expect(oidc.revocationRequests().length).toBe(revocationsBefore + 1);
    expect(deleted.status).toBe(200);
    expect(deleted.answeredSeq!).toBeLessThan(revocation.seq);
    expect(test.fakes.asana.webhooks.webhooks.size).toBe(0);
  });
});

describe('a provider that is down at disconnect', () => {
  it('does not block it: the subscription is STOPPED with what could not be done recorded', async () => {
    const microsoftId = await insertConnectedIntegration(test.service.app, test.organizationId, 'microsoft');
    const { id } = await subscribe(test.service.url, test.token, microsoftId, '/me/events');
    await test.runDue();
    const graphId = (await storedSubscription(test.service.app, id)).external_id as string;
    await test.fakes.microsoft.server.refuseConnections();
    try {
      const result = await disconnect(microsoftId);
      expect(result.data!.disconnectIntegration.status).toBe('DISCONNECTED');
    } finally {
      await test.fakes.microsoft.server.acceptConnections();
    }
    const row = await storedSubscription(test.service.app, id);
    expect(row).toMatchObject({ status: 'stopped', renew_at: null });
    expect(row.last_error).toMatch(/could not be stopped at microsoft/);
    expect(row.last_error).toMatch(/when it expires/);
    // Graph still has it until it expires; its notifications are acknowledged and dropped.
    expect(test.fakes.microsoft.subscriptions.get(graphId)).toBeDefined();
    const [delivery] = await test.fakes.microsoft.subscriptions.notify([{ subscriptionId: graphId }]);
    expect(delivery!.status).toBe(202);
    const stored = await test.service.app.database.asSystem((em) => em.execute(`select id from webhook_events where provider_subscription_id = ?`, [id]));
    expect(stored).toEqual([]);
  });
});
