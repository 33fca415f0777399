import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { providerBreakers, resetProviderBreakers } from '../../src/resilience/provider-breakers.js';
import { cloneTemplateDatabase, newOrganizationId } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { startGraphQLTestServer, type GraphQLTestServer } from './support/graphql-test-server.js';
import { seedIntegrations } from './support/seed.js';

/**
 * The response cache inside the real application: a repeated query is answered without SQL, and
 * every announced change (a pub/sub message, from this instance or another one through Redis)
 * is seen by the very next read. Statements are counted per instance with `onQuery`.
 */
const EVENTS = 'query Events($integrationId: ID) { webhookEvents(integrationId: $integrationId, first: 10) { totalCount edges { node { id status } } } }';
const RETRY = 'mutation Retry($id: ID!) { retryWebhookEvent(id: $id) { id status } }';
const STATUSES = '{ integrations { id status lastSyncAt } }';

interface CountedServer {
  server: GraphQLTestServer;
  statements: () => number;
}

async function startCounted(options: { databaseName?: string; redisPrefix?: string } = {}): Promise<CountedServer> {
  let statements = 0;
  const server = await startGraphQLTestServer({ ...options, responseCache: true, onQuery: () => void statements++ });
  return { server, statements: () => statements };
}

/** Runs a query and returns its body with the SQL statements it cost on that instance. */
async function counted(instance: CountedServer, source: string, token: string, variables?: Record<string, unknown>) {
  const before = instance.statements();
  const body = await instance.server.query<Record<string, unknown>>(source, { token, variables });
  return { body, statements: instance.statements() - before };
}

/** Pub/sub delivery is asynchronous (a microtask in process, a round trip through Redis). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('response cache in one instance', () => {
  let one: CountedServer;
  beforeAll(async () => {
    one = await startCounted();
  });
  afterAll(async () => {
    await one?.server.close();
  });
  afterEach(() => resetProviderBreakers());

  it('answers a repeated query from the cache: the same body, no SQL statement', async () => {
    const org = newOrganizationId();
    await seedIntegrations(one.server.database, org, [{ providerId: 'google', events: 3 }]);
    const token = await one.server.token(org);
    const first = await counted(one, EVENTS, token);
    const second = await counted(one, EVENTS, token);
    expect(first.statements).toBeGreaterThan(0);
    expect(second.statements).toBe(0);
    expect(second.body).toEqual(first.body);
    // Other variables are another answer.
    const [integration] = await seedIntegrations(one.server.database, org, [{ providerId: 'slack', events: 1 }]);
    const filtered = await counted(one, EVENTS, token, { integrationId: integration!.id });
    expect(filtered.statements).toBeGreaterThan(0);
    expect(filtered.body.data).toMatchObject({ webhookEvents: { totalCount: 1 } });
  });

  it('forgets an organization as soon as a change of its data is announced', async () => {
    const org = newOrganizationId();
    const [integration] = await seedIntegrations(one.server.database, org, [{ providerId: 'google' }]);
    const token = await one.server.token(org);
    await counted(one, STATUSES, token);
    await one.server.database.asSystem((em) => em.execute(`update integrations set status = 'error' where id = ?`, [integration!.id]));
    // Unannounced (only a test writes like this), the stored answer is still served...
    expect((await counted(one, STATUSES, token)).body.data).toEqual({ integrations: [expect.objectContaining({ status: 'CONNECTED' })] });
    // ...announced, it is gone.
    await one.server.pubsub.publish('organizationDataChanged', { organizationId: org });
    await eventually(async () => (await counted(one, STATUSES, token)).statements > 0);
    expect((await counted(one, STATUSES, token)).body.data).toEqual({ integrations: [expect.objectContaining({ status: 'ERROR' })] });
  });

  it('sees a write made through the API (retryWebhookEvent) on the next read', async () => {
    const org = newOrganizationId();
    const [integration] = await seedIntegrations(one.server.database, org, [{ providerId: 'google', events: 1, eventStatus: () => 'failed' }]);
    const token = await one.server.token(org, { roles: ['admin'] });
    expect((await counted(one, EVENTS, token)).body.data).toMatchObject({ webhookEvents: { edges: [{ node: { status: 'FAILED' } }] } });
    expect((await counted(one, EVENTS, token)).statements).toBe(0);
    const retried = await one.server.query(RETRY, { token, variables: { id: integration!.eventIds[0] } });
    expect(retried.errors).toBeUndefined();
    await eventually(async () => {
      const { body } = await counted(one, EVENTS, token);
      return (body.data as { webhookEvents: { edges: { node: { status: string } }[] } }).webhookEvents.edges[0]!.node.status === 'PENDING';
    });
  });

  it('never stores an answer selecting a volatile field (provider health)', async () => {
    const token = await one.server.token(newOrganizationId());
    const health = '{ providers { id health { consecutiveFailures } } }';
    const failures = async () =>
      ((await one.server.query<{ providers: { id: string; health: { consecutiveFailures: number } }[] }>(health, { token })).data!.providers.find((p) => p.id === 'google')!
        .health.consecutiveFailures);
    expect(await failures()).toBe(0);
    await providerBreakers.get('google').execute(() => Promise.reject(new Error('provider down'))).catch(() => undefined);
    expect(await failures()).toBe(1);
  });

  it('keeps organizations apart', async () => {
    const [orgA, orgB] = [newOrganizationId(), newOrganizationId()];
    await seedIntegrations(one.server.database, orgA, [{ providerId: 'google', events: 2 }]);
    await seedIntegrations(one.server.database, orgB, [{ providerId: 'slack', events: 1 }]);
    const a = await counted(one, EVENTS, await one.server.token(orgA));
    const b = await counted(one, EVENTS, await one.server.token(orgB));
    expect(b.statements).toBeGreaterThan(0);
    expect(a.body.data).toMatchObject({ webhookEvents: { totalCount: 2 } });
    expect(b.body.data).toMatchObject({ webhookEvents: { totalCount: 1 } });
  });

  it('does not store an answer with errors', async () => {
    const [org, other] = [newOrganizationId(), newOrganizationId()];
    const [foreign] = await seedIntegrations(one.server.database, other, [{ providerId: 'google' }]);
    const token = await one.server.token(org);
    const first = await counted(one, EVENTS, token, { integrationId: foreign!.id });
    const second = await counted(one, EVENTS, token, { integrationId: foreign!.id });
    expect(first.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(second.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(second.statements).toBeGreaterThan(0);
  });
});

describe('response cache across instances (Redis)', () => {
  let first: CountedServer;
  let second: CountedServer;
  const redisPrefix = testRedisPrefix('cache');
  beforeAll(async () => {
    const databaseName = await cloneTemplateDatabase();
    first = await startCounted({ databaseName, redisPrefix });
    second = await startCounted({ databaseName, redisPrefix });
  });
  afterAll(async () => {
    await first?.server.close();
    await second?.server.close();
    await deleteRedisKeys(redisPrefix);
  });

  it('sees on one instance a write made through the other', async () => {
    const org = newOrganizationId();
    const [integration] = await seedIntegrations(first.server.database, org, [{ providerId: 'google', events: 1, eventStatus: () => 'failed' }]);
    const token = await first.server.token(org, { roles: ['admin'] });
    await eventually(async () => (await counted(first, EVENTS, token)).statements === 0); // stored once the watch is live
    expect((await second.server.query(RETRY, { token, variables: { id: integration!.eventIds[0] } })).errors).toBeUndefined();
    await eventually(async () => {
      const { body } = await counted(first, EVENTS, token);
      return (body.data as { webhookEvents: { edges: { node: { status: string } }[] } }).webhookEvents.edges[0]!.node.status === 'PENDING';
    });
  });

  it('drops every stored answer when the Redis subscription is lost, and caches again once it is back', async () => {
    const org = newOrganizationId();
    await seedIntegrations(first.server.database, org, [{ providerId: 'google', events: 1 }]);
    const token = await first.server.token(org);
    await eventually(async () => (await counted(first, EVENTS, token)).statements === 0);
    // Messages published while the subscriber is disconnected never reach this instance.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const clients = (await redis.client('LIST')) as string;
      const subscribers = clients.split('\n').filter((line) => line.includes(`name=${redisPrefix}:pubsub`) && / psub=[1-9]/.test(line));
      expect(subscribers).toHaveLength(2);
      for (const line of subscribers) await redis.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]!);
    } finally {
      redis.disconnect();
    }
    // Caching again once the subscription is confirmed (another query starts being answered from it)...
    await eventually(async () => (await counted(first, STATUSES, token)).statements === 0);
    // ...but nothing stored before the gap survived it.
    expect((await counted(first, EVENTS, token)).statements).toBeGreaterThan(0);
    expect((await counted(first, EVENTS, token)).statements).toBe(0);
  });
});
