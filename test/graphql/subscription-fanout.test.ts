import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { WebhookEventSnapshot } from '../../src/pubsub/topics.js';
import { newOrganizationId } from '../support/database.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations, type SeededIntegration } from './support/seed.js';
import { webhookEventSnapshot } from './support/webhook-event-snapshot.js';

/**
 * Subscribers asking the same thing of one organization share the work of each event: the
 * selection (here with a relation read from the database) is executed once per event for all of
 * them, and each still gets every message under its own subscription id.
 */
let server: GraphQLTestServer;
const orgA = newOrganizationId();
const orgB = newOrganizationId();
let a: SeededIntegration[];
let b: SeededIntegration[];
const clients: Client[] = [];
let integrationReads = 0;

beforeAll(async () => {
  server = await startGraphQLTestServer({ onQuery: (sql) => void (/from integrations\b/.test(sql) && integrationReads++) });
  a = await seedIntegrations(server.database, orgA, [{ providerId: 'google' }, { providerId: 'slack' }]);
  b = await seedIntegrations(server.database, orgB, [{ providerId: 'google' }]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.close();
});

const QUERY = 'subscription ($id: ID) { webhookEventUpdated(integrationId: $id) { id status integration { id status } } }';
type Update = { webhookEventUpdated: { id: string; status: string; integration: { id: string; status: string } } };

const connect = async (organizationId: string, userId: string): Promise<Client> => {
  const client = createClient({
    url: server.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await server.token(organizationId, { userId, roles: userId === 'admin' ? ['admin'] : [] })}` },
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
};

/** A subscription's messages as they arrive. */
function subscribe(client: Client, integrationId: string) {
  const received: Update['webhookEventUpdated'][] = [];
  const iterator = client.iterate<Update>({ query: QUERY, variables: { id: integrationId } });
  const done = (async () => {
    for await (const result of iterator) {
      expect(result.errors).toBeUndefined();
      received.push(result.data!.webhookEventUpdated);
    }
  })();
  return { received, stop: async () => void (await iterator.return?.(), await done) };
}

const event = (organizationId: string, integrationId: string, status: WebhookEventSnapshot['status'] = 'completed') => webhookEventSnapshot(organizationId, integrationId, status);

const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

it("executes an event once for every subscriber asking the same thing, and sends it under each subscription's id", async () => {
  const first = await connect(orgA, 'alice');
  const second = await connect(orgA, 'admin');
  // Two subscriptions on one socket (ids 1 and 2 of one client), one on another socket by another user: one group.
  const same = [subscribe(first, a[0]!.id), subscribe(first, a[0]!.id), subscribe(second, a[0]!.id)];
  const otherIntegration = subscribe(second, a[1]!.id);
  const otherOrganization = subscribe(await connect(orgB, 'bob'), b[0]!.id);
  const everyone = [...same, otherIntegration, otherOrganization];

  // The subscriptions start at moments the clients cannot see: warm up until each has one message.
  while (everyone.some((subscription) => subscription.received.length === 0)) {
    await server.pubsub.publish('webhookEventUpdated', event(orgA, a[0]!.id));
    await server.pubsub.publish('webhookEventUpdated', event(orgA, a[1]!.id));
    await server.pubsub.publish('webhookEventUpdated', event(orgB, b[0]!.id));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The last warm-up events are executed: no reads for a while.
  for (let last = -1; integrationReads !== last; ) {
    last = integrationReads;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  integrationReads = 0;

  const tracked = event(orgA, a[0]!.id);
  await server.pubsub.publish('webhookEventUpdated', tracked);
  await until(() => same.every((subscription) => subscription.received.some((update) => update.id === tracked.id)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const subscription of same) {
    expect(subscription.received.filter((update) => update.id === tracked.id)).toEqual([{ id: tracked.id, status: 'COMPLETED', integration: { id: a[0]!.id, status: 'CONNECTED' } }]);
  }
  for (const other of [otherIntegration, otherOrganization]) expect(other.received.some((update) => update.id === tracked.id)).toBe(false);
  // One execution for the three: the integration was read once, not once per subscriber.
  expect(integrationReads).toBe(1);

  // One of them leaves; the others still receive, and the relation is read afresh for the next event.
  await same[0]!.stop();
  await server.database.asSystem((em) => em.execute(`update integrations set status = 'error' where id = ?`, [a[0]!.id]));
  const next = event(orgA, a[0]!.id);
  await server.pubsub.publish('webhookEventUpdated', next);
  await until(() => same.slice(1).every((subscription) => subscription.received.some((update) => update.id === next.id)));
  for (const subscription of same.slice(1)) expect(subscription.received.at(-1)).toEqual({ id: next.id, status: 'COMPLETED', integration: { id: a[0]!.id, status: 'ERROR' } });
  expect(same[0]!.received.some((update) => update.id === next.id)).toBe(false);

  for (const subscription of everyone.slice(1)) await subscription.stop();
});

it('gives a subscriber that joins a running group only what comes after, and ends nobody else when it leaves', async () => {
  const client = await connect(orgA, 'carol');
  const early = subscribe(client, a[1]!.id);
  while (early.received.length === 0) {
    await server.pubsub.publish('webhookEventUpdated', event(orgA, a[1]!.id, 'pending'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const late = subscribe(await connect(orgA, 'dave'), a[1]!.id);
  while (late.received.length === 0) {
    await server.pubsub.publish('webhookEventUpdated', event(orgA, a[1]!.id, 'pending'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const lateFirst = late.received[0]!.id;
  expect(early.received.map((update) => update.id)).toContain(lateFirst);
  await late.stop();
  const after = event(orgA, a[1]!.id);
  await server.pubsub.publish('webhookEventUpdated', after);
  await until(() => early.received.some((update) => update.id === after.id));
  await early.stop();
});
