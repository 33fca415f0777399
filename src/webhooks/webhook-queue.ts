import type { Database } from '../db/database.js';
import type { WebhookEventEntity } from '../db/entities/index.js';
import { WebhookEventRepository, type WebhookQueueStats } from '../db/repositories/webhook-event.repository.js';
import type { PubSub } from '../pubsub/topics.js';
import type { Deadline } from './deadline.js';
import { createGroupCommit } from './group-commit.js';
import { IngestPriority, type IngestPriorityOptions } from './ingest-priority.js';
import type { WebhookHandler } from './handlers/webhook-handler.js';
import { LeaseHeartbeat } from './queue/lease-heartbeat.js';
import type { QueueBackend, QueuedWebhookEvent } from './queue/queue-backend.js';
import { createWebhookProcessor } from './queue/webhook-processor.js';
import { startWebhookSweeper } from './queue/webhook-sweeper.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry-schedule.js';
import type { VerifiedDelivery } from './routed-integration.js';
import { createWebhookEventPublisher, type WebhookEventPublisher } from './webhook-event-publisher.js';
import { WebhookEventStore, type NewWebhookEvent } from './webhook-event-store.js';
import { createSystemStatementRunner, systemStatementExecutor, type SystemStatementRunner } from './system-statements.js';
import { toProviderSubscriptionRow, toProviderSubscriptionSnapshot } from '../db/repositories/provider-subscription-row.js';
import { silentWebhookLogger, type WebhookLogger } from './webhook-logger.js';
import { setWebhookQueueStatsSource } from './webhook-metrics.js';

/** See WebhookQueueOptions.leaseMs. */
export const DEFAULT_LEASE_MS = 5000;

/** Heartbeats per lease: four may fail (a slow database, a long GC pause) before a lease runs out. */
const BEATS_PER_LEASE = 5;

export interface WebhookQueueOptions {
  database: Database;
  pubsub: PubSub;
  backend: QueueBackend;
  logger?: WebhookLogger;
  /** Attempts per event, the first included. @default 8 (like Svix) */
  maxAttempts?: number;
  /** @default Svix's schedule with 20 % jitter */
  retry?: RetryPolicy;
  /** Handlers running at once in this instance's worker (events without a handler do not count). @default 10 */
  concurrency?: number;
  /**
   * Events this instance's worker holds at once (never fewer than `concurrency`): claimed together
   * and, when no handler wants them, completed together in one transaction. Handled events among
   * them wait for a handler slot, their leases kept alive meanwhile. @default 50
   */
  batchSize?: number;
  /**
   * How long a claimed event stays this worker's without a heartbeat: the worker extends it every
   * `leaseMs / 5` while the event is held, so this is how long a killed worker's events wait
   * before the sweeper gives them to another (plus up to `sweepIntervalMs`). Must be the same on
   * every instance sharing the database. @default 5000
   */
  leaseMs?: number;
  /** @default 5000 */
  sweepIntervalMs?: number;
  /** @default 10000 */
  overdueGraceMs?: number;
  /** How long `stop()` waits for running handlers before aborting and releasing them. @default 10000 */
  shutdownTimeoutMs?: number;
  /** When this instance's worker yields to its saturated ingest (see IngestPriority). */
  ingestPriority?: IngestPriorityOptions;
}

/** The seed's `queue.add(...)` input. */
export interface AddWebhookInput {
  integrationId: string;
  /** Defaults to the integration's provider. */
  provider?: string;
  event: string;
  payload: Record<string, unknown>;
  /** The provider's delivery id; a second `add` with the same one is a duplicate. */
  deliveryId?: string;
}

export interface IngestResult {
  stored: WebhookEventEntity[];
  duplicates: number;
}

/**
 * The seed's `WebhookQueue` (`add`, `process`, `getStats`) over a pluggable backend (BullMQ on
 * Redis, or the database itself). Events are rows first: `ingest`/`add` commit the row, then
 * offer its id; `process` claims, runs and records every transition, publishing each one.
 */
export class WebhookQueue {
  readonly store = new WebhookEventStore();
  private readonly repository = new WebhookEventRepository();
  private readonly publish: WebhookEventPublisher;
  private readonly logger: WebhookLogger;
  private readonly maxAttempts: number;
  private abort = new AbortController();
  private sweeper: ReturnType<typeof startWebhookSweeper> | null = null;
  private leases: LeaseHeartbeat | null = null;
  private readonly priority: IngestPriority;
  /**
   * Concurrent deliveries share one INSERT transaction; each gets its row, or null for a
   * duplicate. The same transaction records the notification on the provider subscriptions they
   * came through; those changes are announced after the commit.
   */
  private readonly insert = createGroupCommit<NewWebhookEvent & { provider: string }, WebhookEventEntity | null>(
    async (events, deadline) => {
      const { rows, touched } = await this.store.insertNotifying((statements) => this.systemRun(statements, deadline), events);
      for (const row of touched) {
        this.options.pubsub
          .publish('providerSubscriptionChanged', toProviderSubscriptionSnapshot(toProviderSubscriptionRow(row)))
          .catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'subscription notification time not published'));
      }
      return rows;
    },
    500,
    3, // several INSERTs in flight: one at a time would cap ingest at one batch per round trip
  );
  /** Likewise for offering ids: one broker round trip (BullMQ addBulk) for concurrent deliveries. */
  private readonly enqueueNow = createGroupCommit<QueuedWebhookEvent, undefined>(async (events) => {
    await this.options.backend.enqueue(events);
    return events.map(() => undefined);
  }, 500, 2);

  /** `asSystem` transactions, in one round trip each. */
  private readonly systemRun: SystemStatementRunner;

  constructor(private readonly options: WebhookQueueOptions) {
    this.systemRun = createSystemStatementRunner(options.database);
    this.logger = options.logger ?? silentWebhookLogger;
    this.publish = createWebhookEventPublisher(options.pubsub, this.logger);
    this.maxAttempts = options.maxAttempts ?? 8;
    this.priority = new IngestPriority(options.ingestPriority);
    setWebhookQueueStatsSource(() => this.getStats());
  }

  get backendKind(): QueueBackend['kind'] {
    return this.options.backend.kind;
  }

  /**
   * Stores verified deliveries (skipping re-deliveries) and offers the new ones to the queue.
   * Resolves once the rows are committed: only then may the provider be acknowledged. A queue
   * that cannot be reached does not fail it (the sweeper offers the rows later). Once `deadline`
   * passes (the provider is being told to retry), the rows are never committed: their INSERT is
   * dropped, or abandoned (see createGroupCommit, createSystemStatementRunner).
   */
  async ingest(provider: string, deliveries: readonly VerifiedDelivery[], deadline?: Deadline): Promise<IngestResult> {
    const rows = await this.priority.storing(() =>
      this.insert(
        deliveries.map((delivery) => ({ ...delivery, provider, maxAttempts: this.maxAttempts })),
        deadline,
      ),
    );
    const stored = rows.filter((row): row is WebhookEventEntity => row !== null);
    // The acknowledgement waits for the commit only: publishing PENDING and offering the ids are
    // issued now (in that order, so PENDING still goes out before any later transition) but not
    // awaited, and an offer that never arrives is the sweeper's job anyway.
    void this.offer(stored);
    return { stored, duplicates: deliveries.length - stored.length };
  }

  /** Adds one event for an integration (server code, tests). Returns its id, or null for a duplicate delivery id. */
  async add(input: AddWebhookInput): Promise<string | null> {
    const rows = await this.options.database.asSystem((em) =>
      em.execute<{ organization_id: string; provider_id: string }[]>(`select organization_id, provider_id from integrations where id = ?`, [input.integrationId]),
    );
    const integration = rows[0];
    if (!integration) throw new Error(`integration ${input.integrationId} not found`);
    const provider = input.provider ?? integration.provider_id;
    const { stored } = await this.ingest(provider, [
      {
        integrationId: input.integrationId,
        organizationId: integration.organization_id,
        eventType: input.event,
        payload: input.payload,
        deliveryId: input.deliveryId ?? crypto.randomUUID(),
      },
    ]);
    return stored[0]?.id ?? null;
  }

  /** Starts this instance's worker and sweeper: `handler` runs for each event. */
  async process(
    handler: WebhookHandler,
    options: {
      concurrency?: number;
      /** Lets events the handler ignores complete in bulk (see WebhookHandlerRegistry.handles). @default every event is handled */
      handles?: (provider: string, eventType: string) => boolean;
    } = {},
  ): Promise<void> {
    if (this.sweeper) throw new Error('WebhookQueue.process was already called');
    const { database, backend } = this.options;
    const concurrency = options.concurrency ?? this.options.concurrency ?? 10;
    this.abort = new AbortController();
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    this.leases = new LeaseHeartbeat({ store: this.store, sql: systemStatementExecutor(this.systemRun), leaseMs, intervalMs: leaseMs / BEATS_PER_LEASE, logger: this.logger });
    const run = createWebhookProcessor({
      database,
      store: this.store,
      publish: this.publish,
      handler,
      ...(options.handles ? { handles: options.handles } : {}),
      retry: this.options.retry ?? defaultRetryPolicy,
      concurrency,
      logger: this.logger,
      leases: this.leases,
      onRetryScheduled: (event, delayMs) => backend.enqueue([{ id: event.id, attempts: event.attempts }], delayMs).catch(() => undefined),
    });
    backend.start(run, {
      concurrency: Math.max(concurrency, this.options.batchSize ?? 50),
      signal: this.abort.signal,
      claimTurn: () => this.priority.claimTurn(),
    });
    this.sweeper = startWebhookSweeper({
      database,
      store: this.store,
      backend,
      publish: this.publish,
      logger: this.logger,
      intervalMs: this.options.sweepIntervalMs ?? 5000,
      overdueGraceMs: this.options.overdueGraceMs ?? 10_000,
    });
  }

  /** Runs the sweeper now (tests, and after an outage). */
  async sweep(): Promise<void> {
    await this.sweeper?.sweep();
  }

  /** Queue figures from the database, for one organization or all (null). */
  getStats(organizationId: string | null = null): Promise<WebhookQueueStats> {
    const { database } = this.options;
    return organizationId
      ? database.withOrganization(organizationId, (em) => this.repository.stats(em, organizationId))
      : database.asSystem((em) => this.repository.stats(em, null));
  }

  /** FAILED → PENDING for an event of `organizationId`; null when there is no such FAILED event. */
  async retry(organizationId: string, id: string): Promise<WebhookEventEntity | null> {
    const row = await this.options.database.withOrganization(organizationId, (em) => this.store.requeueFailed(em, id));
    if (row) await this.offer([row]);
    return row;
  }

  /**
   * Graceful stop of this instance's worker: takes no new events, lets running ones finish, and
   * after `shutdownTimeoutMs` aborts the rest, which are released (PENDING, attempt not counted).
   */
  async stop(): Promise<void> {
    const timer = setTimeout(() => this.abort.abort(), this.options.shutdownTimeoutMs ?? 10_000);
    try {
      await this.options.backend.stop();
    } finally {
      clearTimeout(timer);
    }
    await this.leases?.stop();
    this.leases = null;
    await this.sweeper?.stop();
    this.sweeper = null;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.options.backend.close();
    setWebhookQueueStatsSource(null);
  }

  private async offer(rows: readonly WebhookEventEntity[]): Promise<void> {
    if (rows.length === 0) return;
    const published = this.publish(rows);
    // A broker's job can reach a worker in another process, whose PROCESSING goes out on another
    // Redis connection: PENDING must have reached Redis first. The database backend's offer is a
    // wake-up of this process's consumer (whose publishes follow this one on the same
    // connection, in order) plus a NOTIFY, so it need not wait for Redis.
    if (this.options.backend.kind !== 'database') await published;
    try {
      await this.enqueueNow(rows.map((row) => ({ id: row.id, attempts: row.attempts })));
    } catch (error) {
      this.logger.warn({ count: rows.length, err: (error as Error).message }, 'webhook events stored but not enqueued; the sweeper will offer them');
    }
    await published;
  }
}
