import type { Database } from '../../../src/db/database.js';
import type { WebhookHandler } from '../../../src/webhooks/handlers/webhook-handler.js';

/**
 * A table that counts handler side effects: written in the handler's transaction, so an event
 * completed "exactly once in effect" has exactly one row, however often it was attempted.
 */
export async function createSideEffectsTable(database: Database): Promise<void> {
  await database.orm.em.fork().execute(`
    create table if not exists webhook_side_effects (event_id uuid not null, attempt int not null, pid int not null, at timestamptz not null default now());
    grant select, insert on webhook_side_effects to integrations_app;`);
}

export const recordSideEffect: WebhookHandler = async (webhook, { em }) => {
  await em.execute(`insert into webhook_side_effects (event_id, attempt, pid) values (?, ?, ?)`, [webhook.id, webhook.attempt, process.pid]);
};

/** Event ids with their number of side effects, for one organization. */
export async function sideEffectCounts(database: Database, organizationId: string): Promise<Map<string, number>> {
  const rows = await database.orm.em.fork().execute<{ id: string; n: string }[]>(
    `select e.id, count(s.event_id) as n from webhook_events e left join webhook_side_effects s on s.event_id = e.id
      where e.organization_id = ? group by e.id`,
    [organizationId],
  );
  return new Map(rows.map((row) => [row.id, Number(row.n)]));
}
