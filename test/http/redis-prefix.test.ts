import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisPubSub } from '../../src/pubsub/redis-pubsub.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { eventually } from '../webhooks/support/recorder.js';
import { countEvents, insertIntegration } from '../webhooks/support/webhook-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two deployments on one Redis, each with its own database and REDIS_PREFIX: neither receives
 * the other's pub/sub messages nor takes the other's queue jobs. Deployment A runs no worker, so
 * a job of its own waits in its queue where B's running worker would find it if they shared keys.
 */
const prefixA = testRedisPrefix('deployment-a');
const prefixB = testRedisPrefix('deployment-b');
let a: TestApp;
let b: TestApp;
const admin = new Redis(TEST_REDIS_URL);
/** Another instance of deployment A, the control: A's messages do travel through Redis. */
const otherInstanceOfA = new RedisPubSub({ url: TEST_REDIS_URL, prefix: prefixA });

beforeAll(async () => {
  a = await startTestApp({ REDIS_PREFIX: prefixA }, { webhookWorker: false });
  b = await startTestApp({ REDIS_PREFIX: prefixB });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await otherInstanceOfA.close();
  admin.disconnect();
  await deleteRedisKeys(prefixA);
  await deleteRedisKeys(prefixB);
});

/** The iterator's next value, or a failure after `timeoutMs` (a message that never comes must not hang the run). */
async function nextWithin<T>(iterator: AsyncIterator<T>, timeoutMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return (await Promise.race([iterator.next(), timeout])).value as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until Redis has registered `count` subscribers of the channel (SUBSCRIBE is asynchronous). */
async function untilSubscribed(channel: string, count = 1): Promise<void> {
  const subscribers = async () => Number(((await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]);
  await eventually(async () => (await subscribers()) >= count, 5_000, `a subscriber of ${channel}`);
}

describe('REDIS_PREFIX', () => {
  it('is the namespace of both deployments’ channels', () => {
    expect(a.app.config.redisPrefix).toBe(prefixA);
    expect(b.app.config.redisPrefix).toBe(prefixB);
  });

  it('keeps one deployment’s messages from another’s subscribers', async () => {
    const organizationId = randomUUID();
    const stop = new AbortController();
    const atA = otherInstanceOfA.subscribe('organizationDataChanged', organizationId, stop.signal);
    const atB = b.app.pubsub.subscribe('organizationDataChanged', organizationId, stop.signal);
    try {
      await untilSubscribed(otherInstanceOfA.channel('organizationDataChanged', organizationId));
      await untilSubscribed((b.app.pubsub as RedisPubSub).channel('organizationDataChanged', organizationId));

      const fromA = { organizationId, sender: 'A' };
      const fromB = { organizationId, sender: 'B' };
      await a.app.pubsub.publish('organizationDataChanged', fromA);
      // Redis hands messages to a subscriber in the order it ran the PUBLISHes: had A's reached
      // B's channel, B's subscriber would see it before B's own.
      await b.app.pubsub.publish('organizationDataChanged', fromB);
      expect(await nextWithin(atB)).toEqual(fromB);
      expect(await nextWithin(atA)).toEqual(fromA);
    } finally {
      stop.abort();
    }
  });

  it('keeps one deployment’s queue jobs from another’s worker', async () => {
    const organizationId = randomUUID();
    const queueOf = (prefix: string) => new Queue('webhook-events', { connection: { url: TEST_REDIS_URL }, prefix });
    const queueA = queueOf(prefixA);
    const queueB = queueOf(prefixB);
    try {
      const atA = await a.app.webhooks.queue.add({ integrationId: await insertIntegration(a.app.database, organizationId, 'acme'), event: 'ping', payload: {} });
      await eventually(async () => (await queueA.getWaitingCount()) === 1, 5_000, 'the job in deployment A’s queue');
      // B's worker is running: its own event completes...
      const atB = await b.app.webhooks.queue.add({ integrationId: await insertIntegration(b.app.database, organizationId, 'acme'), event: 'ping', payload: {} });
      await eventually(async () => (await countEvents(b.app.database, `id = ? and status = 'completed'`, [atB])) === 1, 10_000, 'B completing its event');
      // ...while A's job is still waiting, untaken, and B's queue never held it.
      expect(await queueA.getWaitingCount()).toBe(1);
      expect(await countEvents(a.app.database, `id = ? and status = 'pending'`, [atA])).toBe(1);
      expect(await queueB.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    } finally {
      await queueA.close();
      await queueB.close();
    }
  });
});
