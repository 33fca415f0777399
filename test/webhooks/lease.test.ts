import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { createWebhookPipeline, type WebhookPipeline, type WebhookPipelineOptions } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { recordPublished } from '../support/published-messages.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { eventually } from './support/recorder.js';
import { createSideEffectsTable, recordSideEffect, sideEffectCounts } from './support/side-effects.js';
import { insertIntegration, testCipher } from './support/webhook-fixtures.js';

const LEASE_MS = 1000;
/** Longer than the lease: without a heartbeat, the events waiting behind it would be taken over. */
const HANDLER_MS = 2500;
const EVENTS = 3;

describe.each(['database', 'bullmq'] as const)('leases on the %s backend', (backend) => {
  let db: TestDatabase;
  const published = recordPublished(new InMemoryPubSub());
  const org = newOrganizationId();
  const pipelines: WebhookPipeline[] = [];
  /** Handler invocations: [worker, event id, attempt]. */
  const invocations: [string, string, number][] = [];

  /** A worker that handles `slow` events one at a time, each longer than its lease. */
  const worker = (name: string, options: Partial<WebhookPipelineOptions> = {}): WebhookPipeline => {
    const pipeline = createWebhookPipeline({
      database: db.database,
      pubsub: published.pubsub,
      cipher: testCipher(),
      redisUrl: backend === 'bullmq' ? TEST_REDIS_URL : undefined,
      bullmq: queue,
      leaseMs: LEASE_MS,
      concurrency: 1,
      batchSize: EVENTS,
      pollIntervalMs: 50,
      ...options,
    });
    pipeline.handlers.on('acme', 'slow', async (webhook, context) => {
      invocations.push([name, webhook.id, webhook.attempt]);
      await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
      await recordSideEffect(webhook, context);
    });
    pipelines.push(pipeline);
    return pipeline;
  };
  const queue = { queueName: `lease-${randomBytes(4).toString('hex')}`, prefix: testRedisPrefix('lease') };

  const leases = async () =>
    new Map(
      (
        await db.database.asSystem((em) =>
          em.execute<{ id: string; status: string; locked_until: string | null }[]>(`select id, status, locked_until from webhook_events where organization_id = ?`, [org]),
        )
      ).map((row) => [row.id, { status: row.status, lockedUntil: row.locked_until === null ? 0 : Date.parse(row.locked_until) }]),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    await createSideEffectsTable(db.database);
  });
  afterAll(async () => {
    for (const pipeline of pipelines) await pipeline.close();
    await published.pubsub.close();
    await db.close();
    await deleteRedisKeys(queue.prefix);
  });

  it('keeps the leases of claimed events alive while their worker lives: a handler longer than the lease, and the events waiting behind it, are not taken over', async () => {
    const integrationId = await insertIntegration(db.database, org, 'acme');
    const first = worker('first');
    await first.startWorker();
    const ids = (await Promise.all(Array.from({ length: EVENTS }, (_, n) => first.queue.add({ integrationId, event: 'slow', payload: { n } })))) as string[];
    await eventually(async () => [...(await leases()).values()].every((row) => row.status === 'processing'), 10_000, 'every event claimed by the first worker');

    // Another worker, whose sweeper looks for expired leases ten times a lease.
    const second = worker('second', { sweepIntervalMs: LEASE_MS / 10 });
    await second.startWorker();

    // The mechanism: while the first handler runs, the leases of the events waiting for it move on.
    const before = await leases();
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.5));
    const after = await leases();
    const waiting = ids.filter((id) => after.get(id)?.status === 'processing' && !invocations.some(([, invoked]) => invoked === id));
    expect(waiting.length).toBeGreaterThan(0);
    for (const id of waiting) {
      expect(after.get(id)!.lockedUntil).toBeGreaterThan(before.get(id)!.lockedUntil);
      expect(after.get(id)!.lockedUntil).toBeGreaterThan(Date.now());
    }

    await eventually(async () => [...(await leases()).values()].every((row) => row.status === 'completed'), 30_000, 'every event completed');
    // Each handled once, by the worker that claimed it, on its first attempt.
    expect(invocations.filter(([, id]) => ids.includes(id)).sort()).toEqual(ids.map((id) => ['first', id, 1]).sort());
    const counts = await sideEffectCounts(db.database, org);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    for (const id of ids) {
      const transitions = published
        .of('webhookEventUpdated')
        .filter((message) => message.id === id)
        .sort((a, b) => a.version - b.version)
        .map((message) => [message.status, message.attempts]);
      expect(transitions).toEqual([
        ['pending', 0],
        ['processing', 1],
        ['completed', 1],
      ]);
    }
  }, 60_000);
});
