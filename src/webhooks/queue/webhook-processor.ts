import type { Database } from '../../db/database.js';
import { createGroupCommit } from '../group-commit.js';
import { createSystemStatementRunner, systemStatementExecutor } from '../system-statements.js';
import type { WebhookEventEntity } from '../../db/entities/index.js';
import { PermanentWebhookError, type WebhookHandler, type WebhookJob } from '../handlers/webhook-handler.js';
import { retryDelayMs, type RetryPolicy } from '../retry-schedule.js';
import type { WebhookEventPublisher } from '../webhook-event-publisher.js';
import type { WebhookEventStore } from '../webhook-event-store.js';
import type { WebhookLogger } from '../webhook-logger.js';
import { webhookProcessingDuration } from '../webhook-metrics.js';
import type { RunClaimedEvents } from './queue-backend.js';

export interface WebhookProcessorOptions {
  database: Database;
  store: WebhookEventStore;
  publish: WebhookEventPublisher;
  handler: WebhookHandler;
  /** Whether `handler` does anything for this provider and event type. @default every event */
  handles?: (provider: string, eventType: string) => boolean;
  retry: RetryPolicy;
  /** Handlers running at once (each in a transaction of its own); events without a handler do not count. @default 10 */
  concurrency?: number;
  logger: WebhookLogger;
  /** A retry was scheduled: the queue offers the event again after `delayMs`. */
  onRetryScheduled(event: WebhookEventEntity, delayMs: number): Promise<void>;
}

export const toWebhookJob = (row: WebhookEventEntity): WebhookJob => ({
  id: row.id,
  organizationId: row.organizationId,
  integrationId: row.integrationId,
  provider: row.provider,
  event: row.eventType,
  payload: row.payload,
  attempt: row.attempts,
  maxAttempts: row.maxAttempts,
});

/**
 * One attempt at each claimed (PROCESSING) event: the handler runs in the transaction that marks
 * the event COMPLETED, so its database effects and the completion commit together or not at all.
 * On failure the event goes back to PENDING with backoff, or to FAILED after the last attempt or
 * a permanent error; on shutdown it is released without counting the attempt. Events no handler
 * wants are completed together in one statement.
 */
export function createWebhookProcessor(options: WebhookProcessorOptions): RunClaimedEvents {
  const { database, store, publish, handler, retry, logger } = options;
  // lastSyncAt has one-second resolution (see touchIntegration): skip the statement when this
  // worker touched the integration within that second.
  const touched = new Map<string, number>();
  const touchDue = (integrationId: string): boolean => {
    const now = Date.now();
    if (now - (touched.get(integrationId) ?? 0) < 1000) return false;
    if (touched.size > 10_000) touched.clear();
    touched.set(integrationId, now);
    return true;
  };

  const handles = options.handles ?? (() => true);
  /** Bulk completions are `asSystem` transactions of one statement, in one round trip. */
  const systemSql = systemStatementExecutor(createSystemStatementRunner(database));

  /**
   * Events no handler wants complete together: one transaction for the whole batch, and for
   * every batch that arrives while one is committing (BullMQ hands events over one at a time).
   * Each gets its COMPLETED row, or null when its lease was taken over.
   */
  const completeTogether = createGroupCommit<WebhookEventEntity, WebhookEventEntity | null>(async (claimed) => {
    const touch = [...new Set(claimed.map((event) => event.integrationId))].filter(touchDue);
    const rows = await store.completeManyAndTouch(systemSql, claimed, touch);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return claimed.map((event) => byId.get(event.id) ?? null);
  }, 500, 2);

  const completeUnhandled = async (claimed: readonly WebhookEventEntity[]): Promise<void> => {
    if (claimed.length === 0) return;
    const started = performance.now();
    // PROCESSING and then COMPLETED go out on the same connection, in that order: no need to
    // wait for Redis before completing.
    const processing = publish(claimed);
    const completed = (await completeTogether(claimed)).filter((row): row is WebhookEventEntity => row !== null);
    for (const row of completed) webhookProcessingDuration.observe({ provider: row.provider, outcome: 'completed' }, (performance.now() - started) / 1000);
    await Promise.all([processing, publish(completed)]);
  };

  /** Bounds the handlers running at once; claimed events wait here (holding their lease) for a slot. */
  const limit = Math.max(1, options.concurrency ?? 10);
  let running = 0;
  const waiting: (() => void)[] = [];
  const withSlot = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next(); // the slot passes on directly
      else running--;
    }
  };

  const runOne = async (claimed: WebhookEventEntity, signal: AbortSignal): Promise<void> => {
    const started = performance.now();
    const observe = (outcome: string) => webhookProcessingDuration.observe({ provider: claimed.provider, outcome }, (performance.now() - started) / 1000);
    await publish([claimed]);
    if (signal.aborted) {
      // Shutdown gave up waiting while this event waited for a handler slot: give it back unrun.
      const released = await database.asSystem((em) => store.release(em, claimed.id, claimed.attempts));
      observe('released');
      if (released) await publish([released]);
      return;
    }
    const afterCommit: (() => Promise<void>)[] = [];
    try {
      const completed = await database.asSystem(async (em) => {
        const row = await store.complete(em, claimed.id, claimed.attempts);
        if (!row) return null; // the lease was taken over: another worker owns this event now
        await handler(toWebhookJob(claimed), { em, signal, afterCommit: (task) => void afterCommit.push(task) });
        if (touchDue(claimed.integrationId)) await store.touchIntegration(em, claimed.integrationId);
        return row;
      });
      if (!completed) {
        logger.warn({ eventId: claimed.id }, 'webhook event lease lost; left to its new owner');
        return;
      }
      observe('completed');
      await publish([completed]);
      for (const task of afterCommit) {
        await task().catch((error: unknown) => logger.warn({ eventId: claimed.id, err: (error as Error).message }, 'after-commit task failed'));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (signal.aborted) {
        const released = await database.asSystem((em) => store.release(em, claimed.id, claimed.attempts));
        observe('released');
        if (released) await publish([released]);
        return;
      }
      const last = error instanceof PermanentWebhookError || claimed.attempts >= claimed.maxAttempts;
      const delay = last ? null : retryDelayMs(retry, claimed.attempts);
      const row = await database.asSystem((em) => store.recordFailure(em, claimed.id, claimed.attempts, message, delay));
      observe(last ? 'failed' : 'retry');
      logger.warn({ eventId: claimed.id, provider: claimed.provider, eventType: claimed.eventType, attempt: claimed.attempts, final: last, err: message }, 'webhook handler failed');
      if (!row) return;
      await publish([row]);
      if (delay !== null) await options.onRetryScheduled(row, delay);
    }
  };

  return async (claimed, signal) => {
    const outcomes = await Promise.allSettled([
      completeUnhandled(claimed.filter((event) => !handles(event.provider, event.eventType))),
      ...claimed.filter((event) => handles(event.provider, event.eventType)).map((event) => withSlot(() => runOne(event, signal))),
    ]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  };
}
