import type { EntityManager } from '@mikro-orm/postgresql';
import type { WebhookEventEntity } from '../db/entities/index.js';
import type { VerifiedDelivery } from './routed-integration.js';
import { systemStatementExecutor, type SystemStatement, type SystemStatementRunner } from './system-statements.js';

/** An EntityManager, or a one-round-trip statement runner (see system-statements.ts). */
export type SqlExecute = Pick<EntityManager, 'execute'>;

export interface NewWebhookEvent extends VerifiedDelivery {
  maxAttempts: number;
}

const date = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
const nullableDate = (value: unknown): Date | null => (value === null || value === undefined ? null : date(value));

/**
 * A `webhook_events` row (snake_case, as `returning *` gives it) as a plain object of the entity's
 * shape. Deliberately not `em.map`: these rows are written and published once, never flushed, and
 * hydrating managed entities (identity map, change-set snapshots) was a large share of the
 * worker's and the ingest path's CPU time.
 */
export function toWebhookEvent(row: Record<string, unknown>): WebhookEventEntity {
  return {
    id: row.id as string,
    organizationId: row.organization_id as string,
    integrationId: row.integration_id as string,
    provider: row.provider as string,
    eventType: row.event_type as string,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
    status: row.status as WebhookEventEntity['status'],
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    errorMessage: (row.error_message as string | null) ?? null,
    deliveryId: (row.delivery_id as string | null) ?? null,
    nextAttemptAt: date(row.next_attempt_at),
    lockedUntil: nullableDate(row.locked_until),
    processedAt: nullableDate(row.processed_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    version: Number(row.version),
  };
}

const toEntities = (_em: SqlExecute, rows: Record<string, unknown>[]): WebhookEventEntity[] => rows.map(toWebhookEvent);

const RETURNING = 'returning *';

type NewDelivery = NewWebhookEvent & { provider: string };

const deliveryKey = (provider: string, deliveryId: string) => `${provider}\u0000${deliveryId}`;

/**
 * One INSERT of the deliveries, ignoring those already stored. The stored delivery id is scoped
 * by integration (`<integration id>:<provider delivery id>`): one Slack event fanned out to two
 * organizations that connected the same workspace is two rows, its re-delivery none.
 */
function insertStatement(events: readonly NewDelivery[]): SystemStatement {
  return {
    sql: `insert into webhook_events (organization_id, integration_id, provider, event_type, payload, delivery_id, max_attempts, provider_subscription_id)
       values ${events.map(() => '(?, ?, ?, ?, ?::jsonb, ?, ?, ?::uuid)').join(', ')}
       on conflict (provider, delivery_id) where delivery_id is not null do nothing ${RETURNING}`,
    params: events.flatMap((event) => [
      event.organizationId,
      event.integrationId,
      event.provider,
      event.eventType,
      JSON.stringify(event.payload),
      `${event.integrationId}:${event.deliveryId}`,
      event.maxAttempts,
      event.subscriptionId ?? null,
    ]),
  };
}

/** Per delivery, its new row, or null for a re-delivery or a repeat within the same batch. */
function matchInserted(events: readonly NewDelivery[], rows: Record<string, unknown>[]): (WebhookEventEntity | null)[] {
  const inserted = new Map(rows.map(toWebhookEvent).map((row) => [deliveryKey(row.provider, row.deliveryId ?? ''), row]));
  return events.map((event) => {
    const key = deliveryKey(event.provider, `${event.integrationId}:${event.deliveryId}`);
    const row = inserted.get(key) ?? null;
    inserted.delete(key); // a repeat later in the same batch is the duplicate
    return row;
  });
}

/**
 * The write side of `webhook_events`: every state transition is one conditional UPDATE, so two
 * workers, a sweeper and a retry mutation racing on one row can never both win. The
 * `attempts` value a worker claimed with is its fencing token: a worker whose lease was taken
 * over finds its later updates match nothing. Callers run these under `Database.asSystem`.
 */
export class WebhookEventStore {
  /**
   * Inserts the deliveries, ignoring those already stored, and returns, per delivery, its new row
   * or null (a re-delivery, or a repeat within the same call). The stored delivery id is scoped by
   * integration (`<integration id>:<provider delivery id>`): one Slack event fanned out to two
   * organizations that connected the same workspace is two rows, its re-delivery none.
   */
  async insert(em: SqlExecute, events: readonly (NewWebhookEvent & { provider: string })[]): Promise<(WebhookEventEntity | null)[]> {
    if (events.length === 0) return [];
    const statement = insertStatement(events);
    return matchInserted(events, await em.execute<Record<string, unknown>[]>(statement.sql, statement.params));
  }

  /**
   * `insert`, and in the same transaction and round trip, `last_notification_at` of the provider
   * subscriptions the deliveries came through (at most once a second per subscription, as
   * `last_sync_at`, so a busy one does not serialise deliveries on its row). Returns the rows as
   * `insert` does and the subscription rows whose time moved.
   */
  async insertNotifying(
    run: SystemStatementRunner,
    events: readonly (NewWebhookEvent & { provider: string })[],
  ): Promise<{ rows: (WebhookEventEntity | null)[]; touched: Record<string, unknown>[] }> {
    const subscriptionIds = [...new Set(events.flatMap((event) => (event.subscriptionId ? [event.subscriptionId] : [])))];
    if (subscriptionIds.length === 0) return { rows: await this.insert(systemStatementExecutor(run), events), touched: [] };
    const [inserted, touched] = await run([
      insertStatement(events),
      {
        sql: `update provider_subscriptions set last_notification_at = now()
               where id = any(array(select json_array_elements_text(?::json)::uuid))
                 and (last_notification_at is null or last_notification_at < now() - interval '1 second')
               returning *`,
        params: [JSON.stringify(subscriptionIds)],
      },
    ]);
    return { rows: matchInserted(events, inserted!), touched: touched! };
  }

  /**
   * Claims up to `limit` due PENDING events (database backend). Concurrent claimers skip each
   * other's rows. `= any(array(…))` keeps the outer UPDATE on the primary key; `in (…)` lets the
   * planner hash-join the whole table, which grows with every completed event.
   */
  async claimDue(em: SqlExecute, limit: number, leaseMs: number): Promise<WebhookEventEntity[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events w
          set status = 'processing', attempts = w.attempts + 1, updated_at = now(),
              locked_until = now() + ? * interval '1 millisecond'
        where w.id = any(array(select id from webhook_events
                                where status = 'pending' and next_attempt_at <= now()
                                order by next_attempt_at limit ? for update skip locked))
        ${RETURNING}`,
      [leaseMs, limit],
    );
    return toEntities(em, rows);
  }

  /**
   * Claims events by id (a queue delivered them; concurrent deliveries are claimed together).
   * Skips those that are not PENDING (already done, or taken by another worker) or not yet due:
   * the sweeper offers them again when they are. A delayed job may fire a hair early (Redis'
   * clock is not the database's), hence the small tolerance.
   */
  async claimByIds(em: SqlExecute, ids: readonly string[], leaseMs: number): Promise<WebhookEventEntity[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events w
          set status = 'processing', attempts = w.attempts + 1, updated_at = now(),
              locked_until = now() + ? * interval '1 millisecond'
        where w.id = any(array(select id from webhook_events
                                where id = any(array(select json_array_elements_text(?::json)::uuid))
                                  and status = 'pending' and next_attempt_at <= now() + interval '50 milliseconds'
                                for update skip locked))
        ${RETURNING}`,
      // As JSON: the query builder spreads a one-element array parameter into a scalar.
      [leaseMs, JSON.stringify(ids)],
    );
    return toEntities(em, rows);
  }

  /** `claimByIds` for one id. */
  async claimById(em: EntityManager, id: string, leaseMs: number): Promise<WebhookEventEntity | null> {
    return (await this.claimByIds(em, [id], leaseMs))[0] ?? null;
  }

  /**
   * PROCESSING → COMPLETED, run first in the handler's own transaction: it locks the row for the
   * handler's duration (the sweeper skips locked rows), and commits or rolls back with the
   * handler's side effects. Null when this worker no longer holds the event.
   */
  async complete(em: EntityManager, id: string, attempts: number): Promise<WebhookEventEntity | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events
          set status = 'completed', processed_at = now(), locked_until = null, error_message = null, updated_at = now()
        where id = ? and status = 'processing' and attempts = ?
        ${RETURNING}`,
      [id, attempts],
    );
    return toEntities(em, rows)[0] ?? null;
  }

  /**
   * PROCESSING → COMPLETED for events that have no handler (nothing to do but record them), in
   * one statement. Returns the rows this worker still held.
   */
  async completeMany(em: SqlExecute, claimed: readonly { id: string; attempts: number }[]): Promise<WebhookEventEntity[]> {
    if (claimed.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events w
          set status = 'completed', processed_at = now(), locked_until = null, error_message = null, updated_at = now()
         from json_to_recordset(?::json) as c(id uuid, attempts int)
        where w.id = c.id and w.status = 'processing' and w.attempts = c.attempts
        returning w.*`,
      // As JSON: the query builder spreads a one-element array parameter into a scalar.
      [JSON.stringify(claimed.map((event) => ({ id: event.id, attempts: event.attempts })))],
    );
    return toEntities(em, rows);
  }

  /**
   * `completeMany` plus `touchIntegration` in one statement: the integrations in `touch` that
   * had one of these events completed get `last_sync_at` (at most once a second, as there).
   */
  async completeManyAndTouch(em: SqlExecute, claimed: readonly { id: string; attempts: number }[], touch: readonly string[]): Promise<WebhookEventEntity[]> {
    if (claimed.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(
      `with done as (
         update webhook_events w
            set status = 'completed', processed_at = now(), locked_until = null, error_message = null, updated_at = now()
           from json_to_recordset(?::json) as c(id uuid, attempts int)
          where w.id = c.id and w.status = 'processing' and w.attempts = c.attempts
          returning w.*),
       touched as (
         update integrations set last_sync_at = now()
          where id = any(array(select json_array_elements_text(?::json)::uuid))
            and id in (select integration_id from done)
            and (last_sync_at is null or last_sync_at < now() - interval '1 second'))
       select * from done`,
      [JSON.stringify(claimed.map((event) => ({ id: event.id, attempts: event.attempts }))), JSON.stringify(touch)],
    );
    return toEntities(em, rows);
  }

  /**
   * PROCESSING → PENDING at `retryInMs`, or → FAILED when `retryInMs` is null. `from: 'completed'`
   * is for the handler's own transaction, after its savepoint was rolled back: the row still holds
   * that transaction's uncommitted COMPLETED (and its lock), which this replaces. Never pass it
   * outside that transaction: a committed COMPLETED is final.
   */
  async recordFailure(
    em: EntityManager,
    id: string,
    attempts: number,
    errorMessage: string,
    retryInMs: number | null,
    from: 'processing' | 'completed' = 'processing',
  ): Promise<WebhookEventEntity | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events
          set status = ?, error_message = ?, locked_until = null, processed_at = null, updated_at = now(),
              next_attempt_at = now() + ? * interval '1 millisecond'
        where id = ? and status = ? and attempts = ?
        ${RETURNING}`,
      [retryInMs === null ? 'failed' : 'pending', errorMessage.slice(0, 2000), retryInMs ?? 0, id, from, attempts],
    );
    return toEntities(em, rows)[0] ?? null;
  }

  /**
   * Gives an event back untouched (graceful shutdown): the attempt it was claimed with does not
   * count. `from` as for `recordFailure`.
   */
  async release(em: EntityManager, id: string, attempts: number, from: 'processing' | 'completed' = 'processing'): Promise<WebhookEventEntity | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events
          set status = 'pending', attempts = attempts - 1, locked_until = null, processed_at = null, next_attempt_at = now(), updated_at = now()
        where id = ? and status = ? and attempts = ?
        ${RETURNING}`,
      [id, from, attempts],
    );
    return toEntities(em, rows)[0] ?? null;
  }

  /**
   * Heartbeat: extends the lease of events this worker still holds (PROCESSING with the attempts it
   * claimed them with), so a short lease never runs out under a worker that is alive. Rows locked
   * by a running handler's transaction are skipped rather than waited for: that lock already keeps
   * the sweeper away, and the transaction either completes the event or records its failure
   * itself. Returns how many leases were extended.
   */
  async extendLeases(em: SqlExecute, held: readonly { id: string; attempts: number }[], leaseMs: number): Promise<number> {
    if (held.length === 0) return 0;
    const rows = await em.execute<{ id: string }[]>(
      `update webhook_events w
          set locked_until = now() + ? * interval '1 millisecond'
        where w.id = any(array(select e.id from webhook_events e
                                 join json_to_recordset(?::json) as c(id uuid, attempts int) on e.id = c.id and e.attempts = c.attempts
                                where e.status = 'processing'
                                for update of e skip locked))
        returning w.id`,
      [leaseMs, JSON.stringify(held.map((event) => ({ id: event.id, attempts: event.attempts })))],
    );
    return rows.length;
  }

  /**
   * Takes back events whose worker vanished (lease expired): PENDING again, or FAILED when that
   * was the last attempt. Rows a live worker holds are locked by its handler transaction and skipped.
   */
  async reclaimExpired(em: EntityManager, limit: number): Promise<WebhookEventEntity[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events w
          set status = case when w.attempts >= w.max_attempts then 'failed' else 'pending' end,
              error_message = case when w.attempts >= w.max_attempts then 'worker lost during the last attempt' else w.error_message end,
              locked_until = null, next_attempt_at = now(), updated_at = now()
        where w.id = any(array(select id from webhook_events
                                where status = 'processing' and locked_until < now()
                                limit ? for update skip locked))
        ${RETURNING}`,
      [limit],
    );
    return toEntities(em, rows);
  }

  /**
   * PENDING events overdue by more than `graceMs`: their queue message may be lost (Redis restarted).
   * Give it a `dueOrderExecutor`: otherwise every sweep during a backlog sorts the whole backlog.
   */
  async overdue(em: SqlExecute, graceMs: number, limit: number): Promise<{ id: string; attempts: number }[]> {
    return em.execute<{ id: string; attempts: number }[]>(
      `select id, attempts from webhook_events
        where status = 'pending' and next_attempt_at <= now() - ? * interval '1 millisecond'
        order by next_attempt_at limit ?`,
      [graceMs, limit],
    );
  }

  /** FAILED → PENDING with a fresh set of attempts (the retry mutation). Null when not FAILED. */
  async requeueFailed(em: EntityManager, id: string): Promise<WebhookEventEntity | null> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `update webhook_events
          set status = 'pending', attempts = 0, error_message = null, next_attempt_at = now(), locked_until = null, updated_at = now()
        where id = ? and status = 'failed'
        ${RETURNING}`,
      [id],
    );
    return toEntities(em, rows)[0] ?? null;
  }

  /** Marks the integration as recently synchronised; at most once a second per integration so hot integrations do not serialise on one row. */
  async touchIntegration(em: EntityManager, integrationId: string): Promise<void> {
    await em.execute(
      `update integrations set last_sync_at = now()
        where id = ? and (last_sync_at is null or last_sync_at < now() - interval '1 second')`,
      [integrationId],
    );
  }
}
