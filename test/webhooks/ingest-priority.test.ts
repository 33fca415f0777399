import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { IngestPriority } from '../../src/webhooks/ingest-priority.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { insertIntegration, testCipher } from './support/webhook-fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` deliveries waiting for their commit until the returned function is called. */
function holdWaiting(priority: IngestPriority, count: number): () => void {
  let release!: () => void;
  const committed = new Promise<void>((resolve) => (release = resolve));
  for (let n = 0; n < count; n++) void priority.storing(() => committed);
  return release;
}

/** Times at which `turns` successive claim turns were granted, from the first request. */
async function claimTurnTimes(priority: IngestPriority, turns: number): Promise<number[]> {
  const started = performance.now();
  const times: number[] = [];
  for (let n = 0; n < turns; n++) {
    await priority.claimTurn();
    times.push(performance.now() - started);
  }
  return times;
}

describe('IngestPriority', () => {
  it('lets the worker claim back to back while ingest keeps up', async () => {
    const priority = new IngestPriority({ saturatedAt: 4, sustainedMs: 0, claimIntervalMs: 200 });
    const release = holdWaiting(priority, 3);
    expect((await claimTurnTimes(priority, 5)).at(-1)).toBeLessThan(50);
    release();
  });

  it('spaces claims by the claim interval while ingest stays saturated, without ever stopping them', async () => {
    const priority = new IngestPriority({ saturatedAt: 4, sustainedMs: 0, claimIntervalMs: 150 });
    const release = holdWaiting(priority, 4);
    const times = await claimTurnTimes(priority, 4);
    release();
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    // The first turn may come at once; every later one waits its interval (timers may fire a hair early).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(140);
    expect(times.at(-1)).toBeLessThan(3 * 150 + 300);
  });

  it('does not yield to a pile-up shorter than sustainedMs', async () => {
    const priority = new IngestPriority({ saturatedAt: 4, sustainedMs: 300, claimIntervalMs: 150 });
    const release = holdWaiting(priority, 8);
    expect((await claimTurnTimes(priority, 5)).at(-1)).toBeLessThan(50);
    release();
  });

  it('admits every waiting claimer within a claim interval once ingest recovers', async () => {
    const priority = new IngestPriority({ saturatedAt: 4, sustainedMs: 0, claimIntervalMs: 150 });
    const release = holdWaiting(priority, 4);
    await priority.claimTurn(); // uses the current turn: the next ones must wait
    const started = performance.now();
    const waiting = Promise.all([priority.claimTurn(), priority.claimTurn(), priority.claimTurn()]).then(() => performance.now() - started);
    await sleep(20);
    release();
    // Saturated, these three would be granted one per interval (≥ 300 ms for the last).
    expect(await waiting).toBeLessThan(250);
  });
});

describe.each(['database', 'bullmq'] as const)('a worker yielding to saturated ingest on the %s backend', (backend) => {
  const CLAIM_INTERVAL_MS = 250;
  let db: TestDatabase;
  const redisPrefix = testRedisPrefix('priority');
  let pipeline: WebhookPipeline;
  const pubsub = new InMemoryPubSub();
  const org = newOrganizationId();
  let integrationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    pipeline = createWebhookPipeline({
      database: db.database,
      pubsub,
      cipher: testCipher(),
      redisUrl: backend === 'bullmq' ? TEST_REDIS_URL : undefined,
      bullmq: { prefix: redisPrefix },
      pollIntervalMs: 50,
      // Any delivery waiting for its commit counts as saturation, so a test can sustain it.
      ingestPriority: { saturatedAt: 1, sustainedMs: 0, claimIntervalMs: CLAIM_INTERVAL_MS },
    });
    integrationId = await insertIntegration(db.database, org, 'acme');
    await pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline.close();
    await pubsub.close();
    await db.close();
    await deleteRedisKeys(redisPrefix);
  });

  it('claims at its floor during a burst, then completes every event once', async () => {
    /** When each event was seen COMPLETED (ms since the burst began). */
    const completedAt = new Map<string, number[]>();
    const controller = new AbortController();
    const started = performance.now();
    const listening = (async () => {
      for await (const message of pubsub.subscribe('webhookEventUpdated', org, controller.signal)) {
        const at = performance.now() - started;
        if (message.status === 'completed') completedAt.set(message.id, [...(completedAt.get(message.id) ?? []), at]);
      }
    })();

    // Four senders keep deliveries waiting for their commit for the whole burst.
    const BURST_MS = 1500;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() - started < BURST_MS) ids.push((await pipeline.queue.add({ integrationId, event: 'nobody-handles-this', payload: {} }))!);
      }),
    );
    const burstEnded = performance.now() - started;
    const deadline = performance.now() + 20_000;
    while (ids.some((id) => !completedAt.has(id)) && performance.now() < deadline) await sleep(20);
    controller.abort();
    await listening;

    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id) => completedAt.get(id)?.length !== 1)).toEqual([]);
    // Events claimed together (none has a handler) are completed together, and claims one
    // interval apart are seen as separate clusters. During the burst there were several (the floor: processing
    // never stopped), but no more than one per interval; unthrottled, the worker claims right
    // behind ingest, one continuous stream or a cluster every few milliseconds.
    const during = [...completedAt.values()].map(([at]) => at!).filter((at) => at < burstEnded).sort((a, b) => a - b);
    const clusters = during.filter((at, index) => index === 0 || at - during[index - 1]! > CLAIM_INTERVAL_MS / 2).length;
    expect(clusters).toBeGreaterThanOrEqual(3);
    expect(clusters).toBeLessThanOrEqual(Math.ceil(burstEnded / CLAIM_INTERVAL_MS) + 1);
    // The burst over, the worker is back to full speed: at its floor the backlog would take
    // backlog / (events per claim) intervals, several seconds.
    const lastCompleted = Math.max(...[...completedAt.values()].map(([at]) => at!));
    expect(lastCompleted - burstEnded).toBeLessThan(5000);
  });
});
