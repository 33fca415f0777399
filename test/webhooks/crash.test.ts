import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { DEFAULT_LEASE_MS } from '../../src/webhooks/webhook-queue.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { killHard, startTsChild } from './support/child-process.js';
import type { CountingWorkerOptions } from './support/counting-worker.js';
import { eventually } from './support/recorder.js';
import { createSideEffectsTable, recordSideEffect, sideEffectCounts } from './support/side-effects.js';
import { startThrowawayRedis, type ThrowawayRedis } from './support/throwaway-redis.js';
import { insertIntegration, testCipher } from './support/webhook-fixtures.js';

const EVENTS = 150;

const totalSideEffects = async (db: TestDatabase, org: string) => [...(await sideEffectCounts(db.database, org)).values()].reduce((sum, n) => sum + n, 0);

/** Every event COMPLETED within `withinMs`, each with exactly one side effect. */
async function expectExactlyOnce(db: TestDatabase, org: string, ids: readonly string[], withinMs = 60_000): Promise<void> {
  const byStatus = () =>
    db.database.asSystem((em) => em.execute<{ status: string; n: string }[]>(`select status, count(*) as n from webhook_events where organization_id = ? group by status order by status`, [org]));
  try {
    await eventually(async () => (await byStatus()).every((row) => row.status === 'completed'), withinMs, 'all events completed');
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(await byStatus())}`);
  }
  const counts = await sideEffectCounts(db.database, org);
  expect(ids.filter((id) => counts.get(id) !== 1).map((id) => [id, counts.get(id)])).toEqual([]);
  expect(counts.size).toBe(ids.length);
}

describe.each(['database', 'bullmq'] as const)('a worker process killed with SIGKILL mid-batch (%s backend)', (backend) => {
  let db: TestDatabase;
  let producer: WebhookPipeline;
  const pubsub = new InMemoryPubSub();
  const org = newOrganizationId();
  const children: ChildProcess[] = [];
  const queue = { queueName: 'crash', prefix: testRedisPrefix('crash') };

  beforeAll(async () => {
    db = await createTestDatabase();
    await createSideEffectsTable(db.database);
    producer = createWebhookPipeline({ database: db.database, pubsub, cipher: testCipher(), redisUrl: backend === 'bullmq' ? TEST_REDIS_URL : undefined, bullmq: queue });
  });
  afterAll(async () => {
    for (const child of children) await killHard(child);
    await producer.close();
    await pubsub.close();
    await db.close();
    await deleteRedisKeys(queue.prefix);
  });

  it('loses no event and applies none twice once a new worker takes over, seconds later with the default lease', async () => {
    const integrationId = await insertIntegration(db.database, org, 'acme');
    const options: CountingWorkerOptions = {
      databaseUrl: db.url,
      redisUrl: backend === 'bullmq' ? TEST_REDIS_URL : undefined,
      ...queue,
      handlerDelayMs: 20,
    } as CountingWorkerOptions;
    const first = await startTsChild('test/webhooks/support/counting-worker.ts', [JSON.stringify(options)]);
    children.push(first);
    const ids = (await Promise.all(Array.from({ length: EVENTS }, (_, n) => producer.queue.add({ integrationId, event: 'batch', payload: { n } })))) as string[];

    await eventually(async () => (await totalSideEffects(db, org)) >= 20, 30_000, 'the first worker to be busy');
    await killHard(first);
    const doneByFirst = await totalSideEffects(db, org);
    expect(doneByFirst).toBeLessThan(EVENTS); // killed in the middle of the batch
    // What the dead worker held is free again within one (short, heartbeat-extended) lease.
    const [held] = await db.database.asSystem((em) =>
      em.execute<{ n: string; free_in_ms: number | null }[]>(
        `select count(*) as n, extract(epoch from max(locked_until) - now()) * 1000 as free_in_ms from webhook_events where organization_id = ? and status = 'processing'`,
        [org],
      ),
    );
    expect(Number(held!.n)).toBeGreaterThan(0);
    expect(Number(held!.free_in_ms)).toBeLessThanOrEqual(DEFAULT_LEASE_MS);

    const second = await startTsChild('test/webhooks/support/counting-worker.ts', [JSON.stringify(options)]);
    children.push(second);
    // A generous bound: the lease, the sweep interval and a loaded machine, far from the minute it took.
    await expectExactlyOnce(db, org, ids, 30_000);
  }, 120_000);
});

describe('Redis loses its data (FLUSHALL) during a batch', () => {
  let db: TestDatabase;
  let redis: ThrowawayRedis;
  let pipeline: WebhookPipeline;
  const pubsub = new InMemoryPubSub();
  const org = newOrganizationId();

  beforeAll(async () => {
    db = await createTestDatabase();
    await createSideEffectsTable(db.database);
    redis = await startThrowawayRedis();
    pipeline = createWebhookPipeline({
      database: db.database,
      pubsub,
      cipher: testCipher(),
      redisUrl: redis.url,
      bullmq: { queueName: 'flush', prefix: 'itest' },
      concurrency: 4,
      leaseMs: 1500,
      sweepIntervalMs: 250,
      overdueGraceMs: 500,
    });
    pipeline.handlers.on('acme', '*', async (webhook, context) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await recordSideEffect(webhook, context);
    });
    await pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline.close();
    await redis.stop();
    await pubsub.close();
    await db.close();
  });

  it('still completes every acknowledged event exactly once', async () => {
    const integrationId = await insertIntegration(db.database, org, 'acme');
    const ids = (await Promise.all(Array.from({ length: EVENTS }, (_, n) => pipeline.queue.add({ integrationId, event: 'batch', payload: { n } })))) as string[];
    await eventually(async () => (await totalSideEffects(db, org)) >= 10, 30_000, 'the worker to be busy');
    await redis.flushAll();
    expect(await totalSideEffects(db, org)).toBeLessThan(EVENTS); // the flush hit the middle of the batch
    await expectExactlyOnce(db, org, ids);
  }, 120_000);
});
