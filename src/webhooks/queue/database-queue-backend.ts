import pg from 'pg';
import type { Database } from '../../db/database.js';
import type { WebhookEventStore } from '../webhook-event-store.js';
import { dueOrderExecutor } from '../system-statements.js';
import type { WebhookLogger } from '../webhook-logger.js';
import type { ConsumerOptions, QueueBackend, RunClaimedEvents } from './queue-backend.js';

/** LISTEN/NOTIFY channel that says "events are due"; a poll covers missed notifications. */
export const WEBHOOK_EVENTS_CHANNEL = 'webhook_events_ready';

export interface DatabaseQueueBackendOptions {
  database: Database;
  store: WebhookEventStore;
  logger: WebhookLogger;
  leaseMs: number;
  /** How often consumers look for due events (retries come due without a notification). @default 1000 */
  pollIntervalMs?: number;
}

/**
 * The queue is the table: consumers claim due PENDING rows with `FOR UPDATE SKIP LOCKED`, so any
 * number of workers in any number of processes share the work without a broker. Producers
 * NOTIFY on a dedicated connection (coalesced: one in flight at a time) to wake consumers at once.
 */
export function createDatabaseQueueBackend(options: DatabaseQueueBackendOptions): QueueBackend {
  const { database, store, logger, leaseMs, pollIntervalMs = 1000 } = options;
  /** Claims are `asSystem` transactions of one statement, in one round trip, reading the due index in order. */
  const systemSql = dueOrderExecutor(database);
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let notifyInFlight = false;
  let notifyAgain = false;
  let wake: (() => void) | null = null;
  /** A wake-up that came while the consumer was busy claiming: its next sleep returns at once. */
  let woken = false;
  const ring = () => {
    woken = true;
    wake?.();
  };
  let running = false;
  let loop: Promise<void> | null = null;
  const inFlight = new Set<Promise<void>>();
  /** Events running (a batch counts as its size). */
  let busy = 0;

  const connection = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: database.url });
      next.on('error', (error) => {
        logger.warn({ err: error.message }, 'webhook queue notification connection lost');
        if (client === next) client = null;
      });
      next.on('notification', ring);
      try {
        await next.connect();
        if (running) await next.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
      } catch (error) {
        await next.end().catch(() => undefined);
        throw error;
      }
      client = next;
      return next;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  /** Wakes this process's consumer at once and other processes' through NOTIFY, without making the caller wait for it. */
  const notify = (): void => {
    ring();
    void sendNotify();
  };

  const sendNotify = async (): Promise<void> => {
    if (notifyInFlight) {
      notifyAgain = true;
      return;
    }
    notifyInFlight = true;
    try {
      do {
        notifyAgain = false;
        await (await connection()).query(`select pg_notify($1, '')`, [WEBHOOK_EVENTS_CHANNEL]);
      } while (notifyAgain);
    } catch (error) {
      // The rows are committed; consumers find them on their next poll.
      logger.warn({ err: (error as Error).message }, 'webhook queue notification not sent');
    } finally {
      notifyInFlight = false;
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        woken = false;
        resolve();
      };
    });

  async function consume(run: RunClaimedEvents, { concurrency, signal, claimTurn }: ConsumerOptions): Promise<void> {
    while (running) {
      if (busy >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      await claimTurn();
      if (!running) break;
      woken = false; // this claim sees everything committed so far
      // At most half the window per claim: the next claim overlaps the previous batch's completion.
      const free = Math.min(concurrency - busy, Math.ceil(concurrency / 2));
      let claimed: Awaited<ReturnType<WebhookEventStore['claimDue']>> = [];
      try {
        if (!client) await connection(); // (re-)LISTEN after a lost connection
        claimed = await store.claimDue(systemSql, free, leaseMs);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'webhook queue could not claim events');
      }
      if (claimed.length > 0) {
        busy += claimed.length;
        const task: Promise<void> = run(claimed, signal)
          .catch((error: unknown) => logger.error({ count: claimed.length, err: (error as Error).message }, 'webhook events left to their lease'))
          .finally(() => {
            busy -= claimed.length;
            inFlight.delete(task);
            ring();
          });
        inFlight.add(task);
      }
      if (running && claimed.length < free) await sleep(pollIntervalMs);
    }
  }

  return {
    kind: 'database',
    enqueue: async () => notify(),
    start(run, consumer) {
      if (running) return;
      running = true;
      // An existing producer-only connection has not LISTENed yet.
      if (client) client.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`).catch(() => undefined);
      loop = consume(run, consumer);
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
    async close() {
      await this.stop();
      await connecting?.catch(() => undefined);
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
