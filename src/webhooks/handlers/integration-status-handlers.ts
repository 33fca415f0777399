import type { EntityManager } from '@mikro-orm/postgresql';
import { IntegrationEntity, type IntegrationStatusValue } from '../../db/entities/index.js';
import { toIntegrationSnapshot } from '../../db/snapshots.js';
import type { PubSub } from '../../pubsub/topics.js';
import type { WebhookHandlerRegistry } from './webhook-handler-registry.js';
import type { WebhookHandlerContext, WebhookJob } from './webhook-handler.js';

const PUBLIC_COLUMNS = `id, organization_id, provider_id, provider_name, status, token_key_id, token_expires_at, scopes, metadata,
  connected_by, connected_at, last_sync_at, error_message, needs_reauthorization, external_account_id, created_at, updated_at`;

interface StatusChange {
  status: IntegrationStatusValue;
  errorMessage: string | null;
  needsReauthorization: boolean;
  /** The provider no longer honours the tokens: keeping them would only invite failed calls. */
  wipeTokens: boolean;
}

async function changeStatus(em: EntityManager, webhook: WebhookJob, change: StatusChange): Promise<IntegrationEntity | null> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `update integrations
        set status = ?, error_message = ?, needs_reauthorization = ?, updated_at = now()
            ${change.wipeTokens ? ', access_token = null, refresh_token = null, token_key_id = null, token_expires_at = null' : ''}
      where id = ? and organization_id = ? and status <> 'disconnected'
      returning ${PUBLIC_COLUMNS}`,
    [change.status, change.errorMessage, change.needsReauthorization, webhook.integrationId, webhook.organizationId],
  );
  return rows[0] ? em.map(IntegrationEntity, rows[0]) : null;
}

function statusHandler(pubsub: PubSub, change: (webhook: WebhookJob) => StatusChange | null) {
  return async (webhook: WebhookJob, { em, afterCommit }: WebhookHandlerContext): Promise<void> => {
    const wanted = change(webhook);
    if (!wanted) return;
    const updated = await changeStatus(em, webhook, wanted);
    if (updated) {
      const snapshot = toIntegrationSnapshot(updated);
      afterCommit(() => pubsub.publish('integrationStatusChanged', snapshot));
    }
  };
}

/**
 * The handlers that keep integration state true to what the provider says:
 * - Slack `app_uninstalled` (https://api.slack.com/events/app_uninstalled): DISCONNECTED, tokens wiped.
 * - Slack `tokens_revoked` (https://api.slack.com/events/tokens_revoked): when the bot token was
 *   revoked, ERROR and needs reauthorization; user-token-only revocations change nothing here.
 * - Graph lifecycle `subscriptionRemoved`
 *   (https://learn.microsoft.com/graph/change-notifications-lifecycle-events): ERROR, since
 *   notifications stop until the subscription is recreated.
 */
export function registerIntegrationStatusHandlers(registry: WebhookHandlerRegistry, pubsub: PubSub): void {
  registry.on(
    'slack',
    'app_uninstalled',
    statusHandler(pubsub, () => ({ status: 'disconnected', errorMessage: null, needsReauthorization: false, wipeTokens: true })),
  );
  registry.on(
    'slack',
    'tokens_revoked',
    statusHandler(pubsub, (webhook) => {
      const event = webhook.payload.event as { tokens?: { bot?: unknown[] } } | undefined;
      if (!Array.isArray(event?.tokens?.bot) || event.tokens.bot.length === 0) return null;
      return { status: 'error', errorMessage: 'Slack revoked the bot token. Connect Slack again.', needsReauthorization: true, wipeTokens: true };
    }),
  );
  registry.on(
    'microsoft',
    'subscriptionRemoved',
    statusHandler(pubsub, () => ({
      status: 'error',
      errorMessage: 'Microsoft Graph removed the change-notification subscription. Reconnect Microsoft 365 to resume updates.',
      needsReauthorization: false,
      wipeTokens: false,
    })),
  );
}
