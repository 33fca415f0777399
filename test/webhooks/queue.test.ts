import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import type { WebhookEventSnapshot } from '../../src/pubsub/topics.js';
import { PermanentWebhookError } from '../../src/webhooks/handlers/webhook-handler.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { recordPublished } from '../support/published-messages.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { insertIntegration, testCipher } from './support/webhook-fixtures.js';
import { eventually, record, type Recorder } from './support/recorder.js';
import { createSideEffectsTable, recordSideEffect, sideEffectCounts } from './support/side-effects.js';

const SCHEDULE_MS = [150, 300];
const JITTER = 0.2;

describe.each(['database', 'bullmq'] as const)('WebhookQueue on the %s backend', (backend) => {
  let db: TestDatabase;
  const redisPrefix = testRedisPrefix('queue');
  let pipeline: WebhookPipeline;
  const published = recordPublished(new InMemoryPubSub());
  const pubsub = published.pubsub;
  const org = newOrganizationId();
  const otherOrg = newOrganizationId();
  let integrationId: string;
  let slackIntegrationId: string;
  let updates: Recorder<WebhookEventSnapshot>;
  /** Attempts seen by the `flaky` handler, by event id: [attempt, time]. */
  const calls = new Map<string, [number, number][]>();
  let healed = false;

  /** The event's published transitions in the row's order (publishes of one row can race: ingest's PENDING and the worker's PROCESSING). */
  const transitionsOf = (id: string) => published.of('webhookEventUpdated').filter((message) => message.id === id).sort((a, b) => a.version - b.version);
  const statusesOf = (id: string) => transitionsOf(id).map((message) => message.status);
  /** What a subscriber was shown: never an older version after a newer one. */
  const expectNeverBackwards = (id: string) => {
    const versions = updates.messages.filter((message) => message.id === id).map((message) => message.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  };
  const settled = (id: string) => updates.waitFor((message) => message.id === id && (message.status === 'completed' || message.status === 'failed'));

  beforeAll(async () => {
    db = await createTestDatabase();
    await createSideEffectsTable(db.database);
    pipeline = createWebhookPipeline({
      database: db.database,
      pubsub,
      cipher: testCipher(),
      redisUrl: backend === 'bullmq' ? TEST_REDIS_URL : undefined,
      bullmq: { prefix: redisPrefix },
      maxAttempts: 3,
      retry: { scheduleMs: SCHEDULE_MS, jitter: JITTER },
      pollIntervalMs: 50,
      concurrency: 4,
      sweepIntervalMs: 500,
      shutdownTimeoutMs: 300,
    });
    const h = pipeline.handlers;
    h.on('acme', 'ok', recordSideEffect);
    h.on('acme', 'flaky', async (webhook, context) => {
      calls.set(webhook.id, [...(calls.get(webhook.id) ?? []), [webhook.attempt, Date.now()]]);
      if (webhook.attempt <= Number(webhook.payload.failTimes)) throw new Error(`flaky failure ${webhook.attempt}`);
      await recordSideEffect(webhook, context);
    });
    h.on('acme', 'permanent', async () => {
      throw new PermanentWebhookError('payload refers to a deleted record');
    });
    h.on('acme', 'writes-then-fails', async (webhook, context) => {
      await recordSideEffect(webhook, context);
      throw new PermanentWebhookError('failed after writing');
    });
    h.on('acme', 'broken-until-healed', async (webhook, context) => {
      if (!healed) throw new Error('downstream is broken');
      await recordSideEffect(webhook, context);
    });
    h.on('acme', 'slow', (_webhook, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    integrationId = await insertIntegration(db.database, org, 'acme');
    slackIntegrationId = await insertIntegration(db.database, org, 'slack', `T${randomBytes(4).toString('hex')}`);
    updates = record(pubsub, 'webhookEventUpdated', org);
    await pipeline.startWorker();
  });
  afterAll(async () => {
    updates.stop();
    await pipeline.close();
    await pubsub.close();
    await db.close();
    await deleteRedisKeys(redisPrefix);
  });

  it('takes an event through PENDING → PROCESSING → COMPLETED, publishing each, and records the sync', async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'ok', payload: { n: 1 } }))!;
    const done = await settled(id);
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'completed']);
    // Each transition is a newer version of the row (a lease heartbeat in between may add one).
    const versions = transitionsOf(id).map((message) => message.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expectNeverBackwards(id);
    expect(done).toMatchObject({ organizationId: org, integrationId, provider: 'acme', eventType: 'ok', attempts: 1, errorMessage: null, version: versions[2] });
    expect(done.processedAt).not.toBeNull();
    expect((await sideEffectCounts(db.database, org)).get(id)).toBe(1);
    const [integration] = await db.database.asSystem((em) => em.execute<{ last_sync_at: Date | null }[]>(`select last_sync_at from integrations where id = ?`, [integrationId]));
    expect(integration?.last_sync_at).not.toBeNull();
  });

  it('completes events no handler wants, publishing PENDING and COMPLETED of each (their PROCESSING lasts one statement)', async () => {
    const ids = (await Promise.all(Array.from({ length: 6 }, (_, n) => pipeline.queue.add({ integrationId, event: 'nobody-handles-this', payload: { n } })))) as string[];
    await Promise.all(ids.map(settled));
    expect(ids.map(statusesOf)).toEqual(ids.map(() => ['pending', 'completed']));
    for (const id of ids) expectNeverBackwards(id);
  });

  it('retries with backoff and completes, the side effect happening once', async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'flaky', payload: { failTimes: 2 } }))!;
    const done = await settled(id);
    expect(done).toMatchObject({ status: 'completed', attempts: 3 });
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'pending', 'processing', 'pending', 'processing', 'completed']);
    expectNeverBackwards(id);
    const failedSnapshot = transitionsOf(id).find((message) => message.status === 'pending' && message.attempts === 1);
    expect(failedSnapshot?.errorMessage).toBe('flaky failure 1');
    // Each retry waited at least its scheduled delay (less the jitter and the claim tolerance).
    const times = calls.get(id)!.map(([, at]) => at);
    SCHEDULE_MS.forEach((delay, index) => expect(times[index + 1]! - times[index]!).toBeGreaterThanOrEqual(delay * (1 - JITTER) - 60));
    expect((await sideEffectCounts(db.database, org)).get(id)).toBe(1);
  });

  it('fails at once on a permanent error', async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'permanent', payload: {} }))!;
    expect(await settled(id)).toMatchObject({ status: 'failed', attempts: 1, errorMessage: 'payload refers to a deleted record' });
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'failed']);
  });

  it("undoes a failed handler's writes and records the failure in the same transaction", async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'writes-then-fails', payload: {} }))!;
    expect(await settled(id)).toMatchObject({ status: 'failed', attempts: 1, errorMessage: 'failed after writing', processedAt: null });
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'failed']);
    expect((await sideEffectCounts(db.database, org)).get(id)).toBe(0);
  });

  it('fails with the last error after the last attempt, and retry() puts it back', async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'broken-until-healed', payload: {} }))!;
    expect(await settled(id)).toMatchObject({ status: 'failed', attempts: 3, errorMessage: 'downstream is broken' });
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'pending', 'processing', 'pending', 'processing', 'failed']);
    expect(await pipeline.queue.getStats(org)).toMatchObject({ failed: 3 }); // this one, the permanent one and the one that wrote first

    expect(await pipeline.queue.retry(otherOrg, id)).toBeNull(); // another organization cannot see it
    healed = true;
    const requeued = await pipeline.queue.retry(org, id);
    expect(requeued).toMatchObject({ status: 'pending', attempts: 0, errorMessage: null });
    expect(await pipeline.queue.retry(org, id)).toBeNull(); // no longer FAILED
    await updates.waitFor((message) => message.id === id && message.status === 'completed');
    expect((await sideEffectCounts(db.database, org)).get(id)).toBe(1);
  });

  it('stores a delivery id once, even when added concurrently, and processes it once', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => pipeline.queue.add({ integrationId, event: 'ok', payload: {}, deliveryId: 'same-delivery' })));
    const stored = ids.filter((id): id is string => id !== null);
    expect(stored).toHaveLength(1);
    await settled(stored[0]!);
    expect((await sideEffectCounts(db.database, org)).get(stored[0]!)).toBe(1);
  });

  it('processes a burst with bounded concurrency, each event once', async () => {
    const ids = (await Promise.all(Array.from({ length: 60 }, (_, n) => pipeline.queue.add({ integrationId, event: 'ok', payload: { n } })))) as string[];
    await Promise.all(ids.map(settled));
    const counts = await sideEffectCounts(db.database, org);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    const stats = await pipeline.queue.getStats(org);
    expect(stats).toMatchObject({ pending: 0, processing: 0 });
  });

  it('marks the integration DISCONNECTED on Slack app_uninstalled and publishes it', async () => {
    const statuses = record(pubsub, 'integrationStatusChanged', org);
    try {
      const id = (await pipeline.queue.add({ integrationId: slackIntegrationId, event: 'app_uninstalled', payload: { event: { type: 'app_uninstalled' } } }))!;
      await settled(id);
      const change = await statuses.waitFor((message) => message.id === slackIntegrationId);
      expect(change).toMatchObject({ status: 'disconnected', needsReauthorization: false });
      const [row] = await db.database.asSystem((em) =>
        em.execute<{ status: string; access_token: string | null }[]>(`select status, access_token from integrations where id = ?`, [slackIntegrationId]),
      );
      expect(row).toEqual({ status: 'disconnected', access_token: null });
    } finally {
      statuses.stop();
    }
  });

  it('marks the integration ERROR on Slack tokens_revoked (bot token, announced once however often it comes) and on Graph subscriptionRemoved', async () => {
    const slack = await insertIntegration(db.database, newOrganizationId(), 'slack', `T${randomBytes(4).toString('hex')}`);
    const microsoftOrg = newOrganizationId();
    const microsoft = await insertIntegration(db.database, microsoftOrg, 'microsoft', randomBytes(8).toString('hex'));
    const userOnly = (await pipeline.queue.add({ integrationId: slack, event: 'tokens_revoked', payload: { event: { type: 'tokens_revoked', tokens: { oauth: ['U1'] } } } }))!;
    const bot = (await pipeline.queue.add({ integrationId: slack, event: 'tokens_revoked', payload: { event: { type: 'tokens_revoked', tokens: { bot: ['B1'] } } } }))!;
    // Slack sends it again (a retried delivery under a new event id): the row is already so.
    const botAgain = (await pipeline.queue.add({ integrationId: slack, event: 'tokens_revoked', payload: { event: { type: 'tokens_revoked', tokens: { bot: ['B1'] } } } }))!;
    const removed = (await pipeline.queue.add({ integrationId: microsoft, event: 'subscriptionRemoved', payload: { lifecycleEvent: 'subscriptionRemoved' } }))!;
    const status = async (id: string) =>
      (await db.database.asSystem((em) => em.execute<{ status: string; needs_reauthorization: boolean; error_message: string | null }[]>(`select status, needs_reauthorization, error_message from integrations where id = ?`, [id])))[0];
    const eventStatus = async (id: string) => (await db.database.asSystem((em) => em.execute<{ status: string }[]>(`select status from webhook_events where id = ?`, [id])))[0]?.status;
    await eventually(async () => (await Promise.all([userOnly, bot, botAgain, removed].map(eventStatus))).every((value) => value === 'completed'), 20_000, 'events completed');
    expect(await status(slack)).toMatchObject({ status: 'error', needs_reauthorization: true });
    await eventually(async () => published.of('integrationStatusChanged').some((message) => message.id === slack), 5_000, 'the change announced');
    expect(published.of('integrationStatusChanged').filter((message) => message.id === slack)).toEqual([expect.objectContaining({ status: 'error', needsReauthorization: true })]);
    expect(await status(microsoft)).toMatchObject({ status: 'error', needs_reauthorization: false, error_message: expect.stringContaining('subscription') });
  });

  it('on shutdown releases an event whose handler does not finish: PENDING, attempt not counted', async () => {
    const id = (await pipeline.queue.add({ integrationId, event: 'slow', payload: {} }))!;
    await updates.waitFor((message) => message.id === id && message.status === 'processing');
    await pipeline.queue.stop();
    const released = await updates.waitFor((message) => message.id === id && message.status === 'pending' && statusesOf(id).length === 3);
    expect(released.attempts).toBe(0);
    expect(statusesOf(id)).toEqual(['pending', 'processing', 'pending']);
  });
});
