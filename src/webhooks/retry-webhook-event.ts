import { isAdmin, type Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import type { WebhookEventEntity } from '../db/entities/index.js';
import { isUuid } from '../db/organization-id.js';
import { AppError, ErrorCode, notFound } from '../errors/app-error.js';
import type { WebhookQueue } from './webhook-queue.js';

/**
 * `retryWebhookEvent`: puts a FAILED event of the caller's organization back on the queue with a
 * fresh set of attempts. Admins only. Another organization's event is NOT_FOUND (no existence
 * oracle); an event that is not FAILED is BAD_USER_INPUT.
 */
export function createWebhookEventRetry(database: Database, queue: Pick<WebhookQueue, 'retry'>) {
  return async (principal: Principal, id: string): Promise<WebhookEventEntity> => {
    if (!isAdmin(principal)) throw new AppError(ErrorCode.FORBIDDEN, 'retrying a webhook event needs the admin role');
    if (!isUuid(id)) throw notFound('webhook event');
    const requeued = await queue.retry(principal.organizationId, id);
    if (requeued) return requeued;
    const [status] = await database.withOrganization(principal.organizationId, (em) =>
      em.execute<{ status: string }[]>(`select status from webhook_events where id = ? and organization_id = ?`, [id, principal.organizationId]),
    );
    if (!status) throw notFound('webhook event');
    throw new AppError(ErrorCode.BAD_USER_INPUT, `only FAILED events can be retried; this one is ${status.status.toUpperCase()}`);
  };
}

export type RetryWebhookEvent = ReturnType<typeof createWebhookEventRetry>;
