import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.js';
import type { WebhookEventStore } from '../webhook-event-store.js';
import type { WebhookLogger } from '../webhook-logger.js';
import type { QueueBackend } from './queue-backend.js';

export interface BullMQQueueBackendOptions {
  redisUrl: string;
  database: Database;
  store: WebhookEventStore;
  logger: WebhookLogger;
  leaseMs: number;
  /** @default 'webhook-events' */
  queueName?: string;
  /** Redis key prefix (BullMQ `prefix`). @default 'bull' */
  prefix?: string;
  /** How long ingest waits for Redis before acknowledging anyway (the sweeper enqueues later). @default 1000 */
  enqueueTimeoutMs?: number;
}

interface EventJobData {
  id: string;
}

/**
 * BullMQ carries event ids only. A job is one offer of one event: its id is `<event id>-<attempts>`
 * so a re-offer of a waiting event is deduplicated by BullMQ, and the worker still claims the row
 * conditionally, so a repeated or stale job does nothing. BullMQ's own retries are unused: the
 * row's schedule governs, and the sweeper re-offers whatever Redis lost.
 */
export function createBullMQQueueBackend(options: BullMQQueueBackendOptions): QueueBackend {
  const { redisUrl, database, store, logger, leaseMs, queueName = 'webhook-events', prefix = 'bull', enqueueTimeoutMs = 1000 } = options;
  // Producer commands fail fast when Redis is away: ingest must not hang on it.
  const producerConnection = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  producerConnection.on('error', (error) => logger.warn({ err: error.message }, 'webhook queue Redis connection error'));
  const queue = new Queue<EventJobData>(queueName, { connection: producerConnection, prefix });
  queue.on('error', (error) => logger.warn({ err: error.message }, 'webhook queue error'));
  let worker: Worker<EventJobData> | null = null;

  return {
    kind: 'bullmq',
    async enqueue(events, delayMs) {
      if (events.length === 0) return;
      const jobs = events.map((event) => ({
        name: 'webhook-event',
        data: { id: event.id },
        opts: { jobId: `${event.id}-${event.attempts}${event.reofferKey ? `-r${event.reofferKey}` : ''}`, delay: delayMs, removeOnComplete: true, removeOnFail: true, attempts: 1 },
      }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rejectTimeout) => {
        timer = setTimeout(() => rejectTimeout(new Error('Redis did not answer in time')), enqueueTimeoutMs);
      });
      try {
        await Promise.race([queue.addBulk(jobs), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    start(run, concurrency, signal) {
      if (worker) return;
      worker = new Worker<EventJobData>(
        queueName,
        async (job) => {
          const claimed = await database.asSystem((em) => store.claimById(em, job.data.id, leaseMs));
          if (claimed) await run([claimed], signal);
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
      // Waits for the active jobs to finish; takes no new ones.
      await worker?.close();
      worker = null;
    },
    async close() {
      await this.stop();
      await queue.close();
      producerConnection.disconnect();
    },
  };
}
