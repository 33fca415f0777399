import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { IntegrationSnapshot } from '../../src/pubsub/topics.js';
import { cloneTemplateDatabase, newOrganizationId } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations, type SeededIntegration } from './support/seed.js';
import { webhookEventSnapshot } from './support/webhook-event-snapshot.js';

/**
 * Two server instances on one Redis (a prefix of this run's own): a subscriber connected to one
 * receives what the other publishes, only for its own organization.
 */
const prefix = testRedisPrefix('subscriptions');
let subscriberSide: GraphQLTestServer;
let publisherSide: GraphQLTestServer;
const orgA = newOrganizationId();
const orgB = newOrganizationId();
let a: SeededIntegration[];
const clients: Client[] = [];

beforeAll(async () => {
  const databaseName = await cloneTemplateDatabase();
  subscriberSide = await startGraphQLTestServer({ databaseName, redisPrefix: prefix });
  publisherSide = await startGraphQLTestServer({ databaseName, redisPrefix: prefix });
  a = await seedIntegrations(subscriberSide.database, orgA, [{ providerId: 'google' }, { providerId: 'slack' }]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await subscriberSide?.close();
  await publisherSide?.close();
  await deleteRedisKeys(prefix);
});

function connect(token: string | null): Client {
  const client = createClient({
    url: subscriberSide.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Starts a subscription; `first` is its first result. */
function subscribed<T>(client: Client, query: string, variables?: Record<string, unknown>) {
  const iterator = client.iterate<T>({ query, variables });
  return { iterator, first: iterator.next() };
}

/**
 * Publishes until the subscriber has its first result. The Redis SUBSCRIBE of the server
 * side completes at a moment the client cannot observe, so a single publish could precede it;
 * repeating makes delivery certain without assuming any timing.
 */
async function publishUntil<T>(first: Promise<T>, publish: () => Promise<void>): Promise<T> {
  let received = false;
  const result = first.finally(() => void (received = true));
  while (!received) {
    await publish();
    await Promise.race([result, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  return result;
}

const integrationSnapshot = (organizationId: string, id: string, status: IntegrationSnapshot['status']): IntegrationSnapshot => ({
  id,
  organizationId,
  providerId: 'google',
  providerName: 'Google Workspace',
  status,
  scopes: ['openid'],
  metadata: null,
  connectedAt: new Date().toISOString(),
  lastSyncAt: null,
  tokenExpiresAt: null,
  errorMessage: status === 'error' ? 'refresh refused' : null,
  needsReauthorization: status === 'error',
  version: 1,
});

describe('integrationStatusChanged', () => {
  it("delivers a change published on another instance, and only the subscriber's organization's", async () => {
    const token = await subscriberSide.token(orgA);
    const { iterator, first } = subscribed<{ integrationStatusChanged: { id: string; status: string; needsReauthorization: boolean; provider: { id: string } } }>(
      connect(token),
      'subscription { integrationStatusChanged { id status needsReauthorization errorMessage connectedAt provider { id } } }',
    );
    const { value } = await publishUntil(first, async () => {
      // Another organization's message goes first every time: it must never come through.
      await publisherSide.pubsub.publish('integrationStatusChanged', integrationSnapshot(orgB, randomUUID(), 'connected'));
      await publisherSide.pubsub.publish('integrationStatusChanged', integrationSnapshot(orgA, a[0]!.id, 'error'));
    });
    expect(value.errors).toBeUndefined();
    expect(value.data!.integrationStatusChanged).toEqual({
      id: a[0]!.id,
      status: 'ERROR',
      needsReauthorization: true,
      errorMessage: 'refresh refused',
      connectedAt: expect.any(String),
      provider: { id: 'google' },
    });
    await iterator.return?.();
  });

  it('refuses a connection without credentials (close code 4403)', async () => {
    const { first } = subscribed(connect(null), 'subscription { integrationStatusChanged { id } }');
    await expect(first).rejects.toMatchObject({ code: 4403 });
  });
});

describe('webhookEventUpdated', () => {
  it('delivers progress of one integration when asked, resolving the event integration', async () => {
    const token = await subscriberSide.token(orgA);
    const { iterator, first } = subscribed<{ webhookEventUpdated: { id: string; status: string; integration: { id: string; providerId: string } } }>(
      connect(token),
      'subscription ($id: ID) { webhookEventUpdated(integrationId: $id) { id status createdAt payload integration { id providerId } } }',
      { id: a[1]!.id },
    );
    const wanted = webhookEventSnapshot(orgA, a[1]!.id, 'completed');
    const { value } = await publishUntil(first, async () => {
      await publisherSide.pubsub.publish('webhookEventUpdated', webhookEventSnapshot(orgA, a[0]!.id, 'processing'));
      await publisherSide.pubsub.publish('webhookEventUpdated', webhookEventSnapshot(orgB, a[1]!.id, 'failed'));
      await publisherSide.pubsub.publish('webhookEventUpdated', wanted);
    });
    expect(value.errors).toBeUndefined();
    expect(value.data!.webhookEventUpdated).toMatchObject({ id: wanted.id, status: 'COMPLETED', integration: { id: a[1]!.id, providerId: 'slack' } });
    await iterator.return?.();
  });

  it("reads the event's integration afresh for every event of one subscription", async () => {
    const token = await subscriberSide.token(orgA);
    type Event = { webhookEventUpdated: { id: string; integration: { status: string } } };
    const { iterator, first } = subscribed<Event>(connect(token), 'subscription ($id: ID) { webhookEventUpdated(integrationId: $id) { id integration { status } } }', {
      id: a[0]!.id,
    });
    const before = webhookEventSnapshot(orgA, a[0]!.id, 'processing');
    const { value } = await publishUntil(first, () => publisherSide.pubsub.publish('webhookEventUpdated', before));
    expect(value.data!.webhookEventUpdated.integration.status).toBe('CONNECTED');

    await subscriberSide.database.asSystem((em) => em.execute(`update integrations set status = 'error' where id = ?`, [a[0]!.id]));
    const after = webhookEventSnapshot(orgA, a[0]!.id, 'completed');
    // Repeated publishes of the first event may still arrive: skip to the second one.
    let next: Event['webhookEventUpdated'] | undefined;
    while (next?.id !== after.id) {
      const result = await publishUntil(iterator.next(), () => publisherSide.pubsub.publish('webhookEventUpdated', after));
      next = (result.value as { data: Event }).data.webhookEventUpdated;
    }
    expect(next.integration.status).toBe('ERROR');
    await iterator.return?.();
  });

  it('never sends an older state of an event after a newer one, nor the same one twice', async () => {
    const token = await subscriberSide.token(orgA);
    type Event = { webhookEventUpdated: { id: string; status: string; version: number } };
    const { iterator, first } = subscribed<Event>(connect(token), 'subscription { webhookEventUpdated { id status version } }');
    const completed = { ...webhookEventSnapshot(orgA, a[0]!.id, 'completed'), version: 3 };
    const { value } = await publishUntil(first, () => publisherSide.pubsub.publish('webhookEventUpdated', completed));
    expect(value.data!.webhookEventUpdated).toEqual({ id: completed.id, status: 'COMPLETED', version: 3 });
    // The same event's PENDING and PROCESSING, arriving late (published by other instances), then a new event.
    await publisherSide.pubsub.publish('webhookEventUpdated', { ...completed, status: 'pending', version: 1 });
    await publisherSide.pubsub.publish('webhookEventUpdated', { ...completed, status: 'processing', version: 2 });
    const another = webhookEventSnapshot(orgA, a[0]!.id, 'pending');
    await publisherSide.pubsub.publish('webhookEventUpdated', another);
    const next = await iterator.next();
    expect((next.value as { data: Event }).data.webhookEventUpdated).toEqual({ id: another.id, status: 'PENDING', version: 1 });
    await iterator.return?.();
  });

  it("delivers every integration's events without the argument", async () => {
    const token = await subscriberSide.token(orgA);
    const { iterator, first } = subscribed<{ webhookEventUpdated: { id: string } }>(connect(token), 'subscription { webhookEventUpdated { id status } }');
    const wanted = webhookEventSnapshot(orgA, a[0]!.id, 'pending');
    const { value } = await publishUntil(first, () => publisherSide.pubsub.publish('webhookEventUpdated', wanted));
    expect(value.data!.webhookEventUpdated).toEqual({ id: wanted.id, status: 'PENDING' });
    await iterator.return?.();
  });
});
