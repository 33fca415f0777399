import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { RedisPubSub } from '../../src/pubsub/redis-pubsub.js';
import type { IntegrationSnapshot } from '../../src/pubsub/topics.js';
import { testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const snapshot = (organizationId: string, status: IntegrationSnapshot['status'] = 'connected'): IntegrationSnapshot => ({
  id: randomUUID(),
  organizationId,
  providerId: 'slack',
  providerName: 'Slack',
  status,
  scopes: ['chat:write'],
  metadata: { team: 'T1' },
  connectedAt: new Date().toISOString(),
  lastSyncAt: null,
  tokenExpiresAt: null,
  errorMessage: null,
  needsReauthorization: false,
  version: 1,
});

/** Snapshots of one webhook event at versions 1 (PENDING), 2 (PROCESSING) and 3 (COMPLETED). */
const eventVersions = (organizationId: string) => {
  const base = { id: randomUUID(), organizationId, integrationId: randomUUID(), provider: 'slack', eventType: 'message', payload: {}, attempts: 1, errorMessage: null, processedAt: null, createdAt: new Date().toISOString() };
  return [
    { ...base, status: 'pending' as const, attempts: 0, version: 1 },
    { ...base, status: 'processing' as const, version: 2 },
    { ...base, status: 'completed' as const, version: 3 },
  ] as const;
};

/** The next message, or `undefined` once the iterator ends. */
const next = async <T>(iterator: AsyncIterator<T>): Promise<T | undefined> => (await iterator.next()).value as T | undefined;

describe('InMemoryPubSub', () => {
  const pubsub = new InMemoryPubSub();
  afterAll(() => pubsub.close());

  it("delivers in order to every subscriber of the organization, and only that organization's", async () => {
    const orgA = randomUUID();
    const first = pubsub.subscribe('integrationStatusChanged', orgA);
    const second = pubsub.subscribe('integrationStatusChanged', orgA);
    const orgB = randomUUID();
    const other = pubsub.subscribe('integrationStatusChanged', orgB);
    const messages = [snapshot(orgA), snapshot(orgA, 'error')];
    for (const message of messages) await pubsub.publish('integrationStatusChanged', message);
    const forB = snapshot(orgB);
    await pubsub.publish('integrationStatusChanged', forB);
    expect(await next(first)).toEqual(messages[0]);
    expect(await next(first)).toEqual(messages[1]);
    expect(await next(second)).toEqual(messages[0]);
    // B's first message is its own: A's two never reached it.
    expect(await next(other)).toEqual(forB);
    await other.return?.();
    await first.return?.();
    await second.return?.();
  });

  it('keeps topics apart', async () => {
    const org = randomUUID();
    const events = pubsub.subscribe('webhookEventUpdated', org);
    await pubsub.publish('integrationStatusChanged', snapshot(org));
    const event = { id: randomUUID(), organizationId: org, integrationId: randomUUID(), provider: 'slack', eventType: 'message', payload: {}, status: 'pending' as const, attempts: 0, errorMessage: null, processedAt: null, createdAt: new Date().toISOString(), version: 1 };
    await pubsub.publish('webhookEventUpdated', event);
    expect(await next(events)).toEqual(event);
    await events.return?.();
  });

  it("never delivers a row's snapshot after a newer one: an older version arriving late, or the same one again, goes to nobody", async () => {
    const org = randomUUID();
    const subscribers = [pubsub.subscribe('webhookEventUpdated', org), pubsub.subscribe('webhookEventUpdated', org)];
    const [pending, processing, completed] = eventVersions(org);
    // The worker's PROCESSING overtook ingest's PENDING; COMPLETED then went out twice.
    for (const message of [processing, pending, completed, completed]) await pubsub.publish('webhookEventUpdated', message);
    const marker = { ...eventVersions(org)[0], id: randomUUID() };
    await pubsub.publish('webhookEventUpdated', marker);
    for (const iterator of subscribers) {
      const seen = [await next(iterator), await next(iterator), await next(iterator)];
      expect(seen.map((message) => [message?.id, message?.status])).toEqual([
        [processing.id, 'processing'],
        [completed.id, 'completed'],
        [marker.id, 'pending'],
      ]);
      await iterator.return?.();
    }
  });

  it('ends a waiting iterator when its signal aborts', async () => {
    const controller = new AbortController();
    const iterator = pubsub.subscribe('integrationStatusChanged', randomUUID(), controller.signal);
    const pending = iterator.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('gives subscribers a copy, never the publisher’s object', async () => {
    const org = randomUUID();
    const iterator = pubsub.subscribe('integrationStatusChanged', org);
    const message = snapshot(org);
    await pubsub.publish('integrationStatusChanged', message);
    const received = await next(iterator);
    expect(received).toEqual(message);
    expect(received).not.toBe(message);
    await iterator.return?.();
  });

  it('ends every subscription on close', async () => {
    const own = new InMemoryPubSub();
    const iterator = own.subscribe('integrationStatusChanged', randomUUID());
    const pending = iterator.next();
    await own.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('RedisPubSub', () => {
  const prefix = testRedisPrefix('pubsub');
  let publisherSide: RedisPubSub;
  let subscriberSide: RedisPubSub;
  let admin: Redis;

  beforeAll(() => {
    publisherSide = new RedisPubSub({ url: TEST_REDIS_URL, prefix });
    subscriberSide = new RedisPubSub({ url: TEST_REDIS_URL, prefix });
    admin = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await publisherSide.close();
    await subscriberSide.close();
    admin.disconnect();
  });

  /** Subscribers on the channel, as Redis itself counts them. */
  const subscribers = async (channel: string): Promise<number> => {
    const reply = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return Number(reply[1]);
  };

  /** Waits until Redis has registered the SUBSCRIBE (it happens asynchronously to `subscribe`). */
  const untilSubscribed = async (channel: string, count = 1): Promise<void> => {
    while ((await subscribers(channel)) < count) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('delivers a message published by one instance to a subscriber of another, per organization', async () => {
    const orgA = randomUUID();
    const orgB = randomUUID();
    const forA = subscriberSide.subscribe('integrationStatusChanged', orgA);
    const forB = subscriberSide.subscribe('integrationStatusChanged', orgB);
    await untilSubscribed(subscriberSide.channel('integrationStatusChanged', orgA));
    await untilSubscribed(subscriberSide.channel('integrationStatusChanged', orgB));

    const toB = snapshot(orgB, 'disconnected');
    const toA = snapshot(orgA, 'error');
    await publisherSide.publish('integrationStatusChanged', toB);
    await publisherSide.publish('integrationStatusChanged', toA);
    expect(await next(forA)).toEqual(toA);
    expect(await next(forB)).toEqual(toB);
    await forA.return?.();
    await forB.return?.();
  });

  it('uses the channel `${prefix}:${topic}:${organizationId}` with JSON messages', async () => {
    const org = randomUUID();
    const channel = `${prefix}:webhookEventUpdated:${org}`;
    expect(subscriberSide.channel('webhookEventUpdated', org)).toBe(channel);
    const iterator = subscriberSide.subscribe('webhookEventUpdated', org);
    await untilSubscribed(channel);
    const message = { id: randomUUID(), organizationId: org, integrationId: randomUUID(), provider: 'slack', eventType: 'message', payload: {}, status: 'pending', attempts: 0, errorMessage: null, processedAt: null, createdAt: new Date().toISOString(), version: 1 };
    await admin.publish(channel, JSON.stringify(message));
    expect(await next(iterator)).toEqual(message);
    await iterator.return?.();
  });

  it('drops a message whose organization does not match its channel', async () => {
    const org = randomUUID();
    const channel = subscriberSide.channel('integrationStatusChanged', org);
    const iterator = subscriberSide.subscribe('integrationStatusChanged', org);
    await untilSubscribed(channel);
    await admin.publish(channel, JSON.stringify(snapshot(randomUUID())));
    await admin.publish(channel, 'not json');
    const genuine = snapshot(org);
    await admin.publish(channel, JSON.stringify(genuine));
    expect(await next(iterator)).toEqual(genuine);
    await iterator.return?.();
  });

  it('holds one Redis subscription per channel and unsubscribes when the last local listener leaves', async () => {
    const org = randomUUID();
    const channel = subscriberSide.channel('integrationStatusChanged', org);
    const controller = new AbortController();
    const first = subscriberSide.subscribe('integrationStatusChanged', org, controller.signal);
    const second = subscriberSide.subscribe('integrationStatusChanged', org);
    await untilSubscribed(channel);
    expect(await subscribers(channel)).toBe(1);

    controller.abort();
    expect(await first.next()).toEqual({ value: undefined, done: true });
    // Still subscribed for `second`: a message reaches it.
    const message = snapshot(org);
    await publisherSide.publish('integrationStatusChanged', message);
    expect(await next(second)).toEqual(message);

    await second.return?.();
    while ((await subscribers(channel)) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await subscribers(channel)).toBe(0);
  });

  it("drops a row's snapshot older than one already delivered, whichever instance published it", async () => {
    const org = randomUUID();
    const channel = subscriberSide.channel('webhookEventUpdated', org);
    const iterator = subscriberSide.subscribe('webhookEventUpdated', org);
    await untilSubscribed(channel);
    const otherInstance = new RedisPubSub({ url: TEST_REDIS_URL, prefix });
    try {
      const [pending, processing, completed] = eventVersions(org);
      await publisherSide.publish('webhookEventUpdated', processing);
      expect(await next(iterator)).toEqual(processing);
      // Ingest's PENDING, from another instance, arrives after the worker's PROCESSING.
      await otherInstance.publish('webhookEventUpdated', pending);
      await publisherSide.publish('webhookEventUpdated', completed);
      expect(await next(iterator)).toEqual(completed);
    } finally {
      await otherInstance.close();
      await iterator.return?.();
    }
  });

  it('ends open subscriptions on close', async () => {
    const own = new RedisPubSub({ url: TEST_REDIS_URL, prefix });
    const iterator = own.subscribe('integrationStatusChanged', randomUUID());
    const pending = iterator.next();
    await own.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
