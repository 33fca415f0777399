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
import type { LeaseHeartbeat } from './lease-heartbeat.js';
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
  /** Extends the leases of claimed events until each settles. */
  leases: LeaseHeartbeat;
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

/** How a handler's transaction ended: the row it committed, or null when the event was no longer this worker's. */
type AttemptOutcome =
  | { kind: 'completed'; row: WebhookEventEntity }
  | { kind: 'failed'; row: WebhookEventEntity | null; error: unknown; last: boolean; delay: number | null }
  | { kind: 'released'; row: WebhookEventEntity | null }
  | { kind: 'lost' };

/** The savepoint a handler runs under (see runOne). */
const HANDLER_SAVEPOINT = 'webhook_handler';

/**
 * One attempt at each claimed (PROCESSING) event: the handler runs in the transaction that marks
 * the event COMPLETED, so its database effects and the completion commit together or not at all.
 * On failure the event goes back to PENDING with backoff, or to FAILED after the last attempt or
 * a permanent error; on shutdown it is released without counting the attempt. Events no handler
 * wants are completed together in one statement (announced PENDING, then COMPLETED: their
 * PROCESSING is not). Every claimed event's lease is kept alive
 * (LeaseHeartbeat) until it settles.
 */
export function createWebhookProcessor(options: WebhookProcessorOptions): RunClaimedEvents {
  const { database, store, publish, handler, retry, logger, leases } = options;
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
    // Their PROCESSING lasts one statement (the claim to this completion) and is not announced:
    // a message per subscriber for a state nobody could see was a third of the fan-out's cost.
    // COMPLETED carries the row's version, so subscribers still order it after PENDING.
    const completed = (await completeTogether(claimed)).filter((row): row is WebhookEventEntity => row !== null);
    for (const row of completed) webhookProcessingDuration.observe({ provider: row.provider, outcome: 'completed' }, (performance.now() - started) / 1000);
    await publish(completed);
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

  const failureOf = (claimed: WebhookEventEntity, error: unknown) => {
    const last = error instanceof PermanentWebhookError || claimed.attempts >= claimed.maxAttempts;
    return { last, delay: last ? null : retryDelayMs(retry, claimed.attempts) };
  };
  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

  /**
   * The attempt, in one transaction: COMPLETED first (which locks the row for the handler's
   * duration, so the sweeper skips it however long the handler runs), then the handler under a
   * savepoint. A failing handler is rolled back to the savepoint and its failure recorded in the
   * same transaction, still under the row's lock: there is no moment at which the row is unlocked,
   * PROCESSING and past its lease, for the sweeper to hand a failed attempt to another worker
   * before its backoff.
   */
  const attempt = (claimed: WebhookEventEntity, signal: AbortSignal, afterCommit: (() => Promise<void>)[]): Promise<AttemptOutcome> =>
    database.asSystem(async (em): Promise<AttemptOutcome> => {
      const row = await store.complete(em, claimed.id, claimed.attempts);
      if (!row) return { kind: 'lost' }; // the lease was taken over: another worker owns this event now
      await em.execute(`savepoint ${HANDLER_SAVEPOINT}`);
      try {
        await handler(toWebhookJob(claimed), { em, signal, afterCommit: (task) => void afterCommit.push(task) });
        if (touchDue(claimed.integrationId)) await store.touchIntegration(em, claimed.integrationId);
        return { kind: 'completed', row };
      } catch (error) {
        afterCommit.length = 0;
        await em.execute(`rollback to savepoint ${HANDLER_SAVEPOINT}`);
        if (signal.aborted) return { kind: 'released', row: await store.release(em, claimed.id, claimed.attempts, 'completed') };
        const { last, delay } = failureOf(claimed, error);
        return { kind: 'failed', row: await store.recordFailure(em, claimed.id, claimed.attempts, messageOf(error), delay, 'completed'), error, last, delay };
      }
    });

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
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(claimed, signal, afterCommit);
    } catch (error) {
      // The transaction itself failed (the connection was lost, the savepoint could not be rolled
      // back): nothing of it committed, so the row is still PROCESSING under this worker's lease.
      afterCommit.length = 0;
      if (signal.aborted) {
        outcome = { kind: 'released', row: await database.asSystem((em) => store.release(em, claimed.id, claimed.attempts)) };
      } else {
        const { last, delay } = failureOf(claimed, error);
        const row = await database.asSystem((em) => store.recordFailure(em, claimed.id, claimed.attempts, messageOf(error), delay));
        outcome = { kind: 'failed', row, error, last, delay };
      }
    }
    switch (outcome.kind) {
      case 'lost':
        logger.warn({ eventId: claimed.id }, 'webhook event lease lost; left to its new owner');
        return;
      case 'completed':
        observe('completed');
        await publish([outcome.row]);
        for (const task of afterCommit) {
          await task().catch((error: unknown) => logger.warn({ eventId: claimed.id, err: (error as Error).message }, 'after-commit task failed'));
        }
        return;
      case 'released':
        observe('released');
        if (outcome.row) await publish([outcome.row]);
        return;
      case 'failed': {
        const { row, error, last, delay } = outcome;
        observe(last ? 'failed' : 'retry');
        logger.warn({ eventId: claimed.id, provider: claimed.provider, eventType: claimed.eventType, attempt: claimed.attempts, final: last, err: messageOf(error) }, 'webhook handler failed');
        if (!row) return;
        await publish([row]);
        if (delay !== null) await options.onRetryScheduled(row, delay);
      }
    }
  };

  /** Runs `work` for the event, its lease extended until then. */
  const holding = async (event: WebhookEventEntity, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } finally {
      leases.release(event.id);
    }
  };

  return async (claimed, signal) => {
    leases.hold(claimed);
    const unhandled = claimed.filter((event) => !handles(event.provider, event.eventType));
    const outcomes = await Promise.allSettled([
      completeUnhandled(unhandled).finally(() => unhandled.forEach((event) => leases.release(event.id))),
      ...claimed.filter((event) => handles(event.provider, event.eventType)).map((event) => holding(event, () => withSlot(() => runOne(event, signal)))),
    ]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  };
}
