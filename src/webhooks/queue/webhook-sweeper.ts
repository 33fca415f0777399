import type { Database } from '../../db/database.js';
import { dueOrderExecutor } from '../system-statements.js';
import type { WebhookEventPublisher } from '../webhook-event-publisher.js';
import type { WebhookEventStore } from '../webhook-event-store.js';
import type { WebhookLogger } from '../webhook-logger.js';
import type { QueueBackend } from './queue-backend.js';

export interface WebhookSweeperOptions {
  database: Database;
  store: WebhookEventStore;
  backend: QueueBackend;
  publish: WebhookEventPublisher;
  logger: WebhookLogger;
  intervalMs: number;
  /** How long past due a PENDING event may wait before it is offered again. */
  overdueGraceMs: number;
}

const BATCH = 500;

/**
 * Makes "the row is the truth" hold whatever happens to workers and Redis: events whose worker
 * died (lease expired) go back to PENDING, and PENDING events overdue by more than the grace
 * period are offered to the queue again (their message may have been lost with Redis' data).
 * Every instance may run one; each statement skips rows others hold, and re-offers are harmless.
 */
export function startWebhookSweeper(options: WebhookSweeperOptions): { sweep(): Promise<void>; stop(): Promise<void> } {
  const { database, store, backend, publish, logger, intervalMs, overdueGraceMs } = options;
  let current: Promise<void> | null = null;
  const dueOrderSql = dueOrderExecutor(database);

  const sweepOnce = async (): Promise<void> => {
    const reclaimed = await database.asSystem((em) => store.reclaimExpired(em, BATCH));
    if (reclaimed.length > 0) {
      logger.warn({ count: reclaimed.length }, 'webhook events reclaimed from expired leases');
      await publish(reclaimed);
      await backend.enqueue(reclaimed.filter((row) => row.status === 'pending').map((row) => ({ id: row.id, attempts: row.attempts })));
    }
    const overdue = await store.overdue(dueOrderSql, overdueGraceMs, BATCH * 4);
    const reofferKey = String(Math.floor(Date.now() / overdueGraceMs));
    if (overdue.length > 0) await backend.enqueue(overdue.map((event) => ({ ...event, reofferKey })));
  };

  const sweep = (): Promise<void> => {
    current ??= sweepOnce()
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'webhook sweep failed'))
      .finally(() => {
        current = null;
      });
    return current;
  };

  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
