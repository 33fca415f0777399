import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { closeWithin, REDIS_CLOSE_TIMEOUT_MS } from '../../close-within.js';
import type { Database } from '../../db/database.js';
import type { WebhookEventEntity } from '../../db/entities/index.js';
import { createGroupCommit } from '../group-commit.js';
import { createSystemStatementRunner, systemStatementExecutor } from '../system-statements.js';
import type { WebhookEventStore } from '../webhook-event-store.js';
import type { WebhookLogger } from '../webhook-logger.js';
import type { QueueBackend, QueuedWebhookEvent } from './queue-backend.js';

export interface BullMQQueueBackendOptions {
  redisUrl: string;
  database: Database;
  store: WebhookEventStore;
  logger: WebhookLogger;
  leaseMs: number;
  /** @default 'webhook-events' */
  queueName?: string;
  /** Redis key prefix (BullMQ `prefix`; the deployment's `REDIS_PREFIX`). @default 'integrations' */
  prefix?: string;
  /** How long ingest waits for Redis before acknowledging anyway (the sweeper enqueues later). @default 1000 */
  enqueueTimeoutMs?: number;
}

interface EventJobData {
  /** Jobs enqueued before batch jobs existed carry one id here. */
  id?: string;
  ids?: string[];
}

/** Ids per job: a burst of deliveries is one job per this many events, not one per event. */
const IDS_PER_JOB = 20;

/** Job id of one offer: `<event id>-<attempts>[-r<reoffer key>]` for one event; a digest of the same for several. */
function jobIdOf(events: readonly QueuedWebhookEvent[]): string {
  const one = (event: QueuedWebhookEvent) => `${event.id}-${event.attempts}${event.reofferKey ? `-r${event.reofferKey}` : ''}`;
  if (events.length === 1) return one(events[0]!);
  return `b-${createHash('sha256').update(events.map(one).join(',')).digest('base64url')}`;
}

/**
 * BullMQ carries event ids only. A job is one offer of a few events (those committed together,
 * up to IDS_PER_JOB): its id is derived from the events and their attempts (`<event id>-<attempts>`
 * for a single event) so a re-offer of waiting events is deduplicated by BullMQ, and the worker
 * still claims the rows conditionally, so a repeated or stale job does nothing. BullMQ's own
 * retries are unused: the row's schedule governs, and the sweeper re-offers whatever Redis lost.
 * One job per burst rather than per event matters: BullMQ costs several Redis scripts per job.
 */
export function createBullMQQueueBackend(options: BullMQQueueBackendOptions): QueueBackend {
  const { redisUrl, database, store, logger, leaseMs, queueName = 'webhook-events', prefix = 'integrations', enqueueTimeoutMs = 1000 } = options;
  // Producer commands fail fast when Redis is away: ingest must not hang on it.
  const producerConnection = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  producerConnection.on('error', (error) => logger.warn({ err: error.message }, 'webhook queue Redis connection error'));
  const queue = new Queue<EventJobData>(queueName, { connection: producerConnection, prefix });
  queue.on('error', (error) => logger.warn({ err: error.message }, 'webhook queue error'));
  let worker: Worker<EventJobData> | null = null;
  /** Jobs this worker is running: stop waits for them, not for Redis. */
  const running = new Set<Promise<void>>();
  let claimTurn = (): Promise<void> => Promise.resolve();
  const systemSql = systemStatementExecutor(createSystemStatementRunner(database));
  /** Jobs running at once claim their rows together: one transaction for all that arrive while one is in flight. */
  const claim = createGroupCommit<string, WebhookEventEntity | null>(async (ids) => {
    await claimTurn();
    const claimed = await store.claimByIds(systemSql, [...new Set(ids)], leaseMs);
    const byId = new Map(claimed.map((row) => [row.id, row]));
    // A repeated id within one batch gets its row once.
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }, 500, 2);

  return {
    kind: 'bullmq',
    async enqueue(events, delayMs) {
      if (events.length === 0) return;
      const jobs = [];
      for (let start = 0; start < events.length; start += IDS_PER_JOB) {
        const chunk = events.slice(start, start + IDS_PER_JOB);
        jobs.push({
          name: 'webhook-event',
          data: { ids: chunk.map((event) => event.id) },
          opts: { jobId: jobIdOf(chunk), delay: delayMs, removeOnComplete: true, removeOnFail: true, attempts: 1 },
        });
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rejectTimeout) => {
        timer = setTimeout(() => rejectTimeout(new Error('Redis did not answer in time')), enqueueTimeoutMs);
      });
      // A lone job goes as one script call: addBulk builds an ioredis pipeline, which copies every
      // BullMQ script onto itself, a large share of the enqueue's CPU for a single job.
      const added = jobs.length === 1 ? queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts) : queue.addBulk(jobs);
      try {
        await Promise.race([added, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    start(run, { concurrency, signal, claimTurn: turn }) {
      if (worker) return;
      claimTurn = turn;
      const window = createCountingSemaphore(concurrency);
      worker = new Worker<EventJobData>(
        queueName,
        (job) => {
          const ids = job.data.ids ?? (job.data.id ? [job.data.id] : []);
          // Events in flight stay within `concurrency` whatever the jobs' sizes (claims happen after).
          const units = Math.min(ids.length, concurrency);
          const processing = (async () => {
            await window.acquire(units);
            try {
              const claimed = (await claim(ids)).filter((row): row is WebhookEventEntity => row !== null);
              if (claimed.length > 0) await run(claimed, signal);
            } finally {
              window.release(units);
            }
          })();
          running.add(processing);
          return processing.finally(() => running.delete(processing));
        },
        {
          connection: { url: redisUrl, maxRetriesPerRequest: null },
          prefix,
          concurrency,
          // The row's lease, not BullMQ's stalled-job check, decides who owns an event.
          maxStalledCount: 0,
        },
      );
      worker.on('error', (error) => logger.warn({ err: error.message }, 'webhook worker Redis error'));
    },
    async stop() {
      if (!worker) return;
      const stopping = worker;
      worker = null;
      // Takes no new jobs and lets the active ones finish (the queue aborts them after its
      // shutdown timeout). BullMQ's own close then waits for Redis to answer, which a Redis
      // that stopped answering never does: it gets a moment, then its connections are dropped.
      const closing = stopping.close();
      await Promise.allSettled(running);
      await closeWithin(closing, REDIS_CLOSE_TIMEOUT_MS, () => stopping.disconnect());
    },
    async close() {
      await this.stop();
      await closeWithin(queue.close(), REDIS_CLOSE_TIMEOUT_MS, () => queue.disconnect());
      producerConnection.disconnect();
    },
  };
}

/** `acquire(n)` waits until n of `size` units are free (first come, first served). */
function createCountingSemaphore(size: number): { acquire(units: number): Promise<void>; release(units: number): void } {
  let free = size;
  const waiting: { units: number; resolve(): void }[] = [];
  const wakeUp = () => {
    while (waiting.length > 0 && waiting[0]!.units <= free) {
      const next = waiting.shift()!;
      free -= next.units;
      next.resolve();
    }
  };
  return {
    acquire(units) {
      if (waiting.length === 0 && units <= free) {
        free -= units;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push({ units, resolve }));
    },
    release(units) {
      free += units;
      wakeUp();
    },
  };
}
