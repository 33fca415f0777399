import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { IntegrationSnapshot } from '../../src/pubsub/topics.js';
import { cloneTemplateDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two complete app instances (createApp) on one database and one Redis: a graphql-ws subscriber
 * of one receives what the other publishes, and only for its own organization.
 */
let first: TestApp;
let second: TestApp;
const clients: Client[] = [];
const redisPrefix = testRedisPrefix('two');

beforeAll(async () => {
  const databaseName = await cloneTemplateDatabase();
  first = await startTestApp({ REDIS_PREFIX: redisPrefix }, { databaseName });
  second = await startTestApp({ REDIS_PREFIX: redisPrefix }, { databaseName });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await first?.close();
  await second?.close();
  await deleteRedisKeys(redisPrefix);
});

const snapshot = (organizationId: string, status: IntegrationSnapshot['status']): IntegrationSnapshot => ({
  id: randomUUID(),
  organizationId,
  providerId: 'asana',
  providerName: 'Asana',
  status,
  scopes: ['default'],
  metadata: null,
  connectedAt: new Date().toISOString(),
  lastSyncAt: null,
  tokenExpiresAt: null,
  errorMessage: null,
  needsReauthorization: false,
  version: 1,
});

it('delivers a status change published on one instance to a subscriber of the other', async () => {
  const organizationId = randomUUID();
  const client = createClient({
    url: `${first.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await first.token({ organizationId, roles: [] })}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const iterator = client.iterate<{ integrationStatusChanged: { id: string; status: string; providerId: string } }>({
    query: 'subscription { integrationStatusChanged { id status providerId } }',
  });
  const firstResult = iterator.next();

  // The server's Redis SUBSCRIBE completes at a moment the client cannot see: publish until the
  // first result arrives, another organization's message first each time (it must never arrive).
  const wanted = snapshot(organizationId, 'connected');
  let received = false;
  void firstResult.finally(() => (received = true));
  while (!received) {
    await second.app.pubsub.publish('integrationStatusChanged', snapshot(randomUUID(), 'error'));
    await second.app.pubsub.publish('integrationStatusChanged', wanted);
    await Promise.race([firstResult, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  const { value } = await firstResult;
  expect(value).toEqual({ data: { integrationStatusChanged: { id: wanted.id, status: 'CONNECTED', providerId: 'asana' } } });
  await iterator.return?.();
});
