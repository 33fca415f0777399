import { isAdmin, type Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import type { WebhookEventEntity } from '../db/entities/index.js';
import { isUuid } from '../db/organization-id.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import type { WebhookQueue } from './webhook-queue.js';

/**
 * `retryWebhookEvent`: puts a FAILED event of the caller's organization back on the queue with a
 * fresh set of attempts. Admins only. Another organization's event is NOT_FOUND, whatever the
 * caller's role (no existence oracle, and FORBIDDEN only for what the caller may see); an event
 * that is not FAILED is BAD_USER_INPUT.
 */
export function createWebhookEventRetry(database: Database, queue: Pick<WebhookQueue, 'retry'>) {
  const statusOf = async (principal: Principal, id: string): Promise<string> => {
    const [event] = await database.withOrganization(principal.organizationId, (em) =>
      em.execute<{ status: string }[]>(`select status from webhook_events where id = ? and organization_id = ?`, [id, principal.organizationId]),
    );
    if (!event) throw notFound('webhook event');
    return event.status;
  };
  return async (principal: Principal, id: string): Promise<WebhookEventEntity> => {
    if (!isUuid(id)) throw notFound('webhook event');
    if (!isAdmin(principal)) {
      await statusOf(principal, id);
      throw new AppError(ErrorCode.FORBIDDEN, 'retrying a webhook event needs the admin role');
    }
    const requeued = await queue.retry(principal.organizationId, id);
    if (requeued) return requeued;
    const status = await statusOf(principal, id);
    throw new AppError(ErrorCode.BAD_USER_INPUT, `only FAILED events can be retried; this one is ${status.toUpperCase()}`);
  };
}

export type RetryWebhookEvent = ReturnType<typeof createWebhookEventRetry>;
