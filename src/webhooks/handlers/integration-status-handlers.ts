import { announceIntegrationWrite, IntegrationStatusStore, type IntegrationStatus } from '../../db/repositories/integration-status-store.js';
import type { PubSub } from '../../pubsub/topics.js';
import type { WebhookHandlerRegistry } from './webhook-handler-registry.js';
import type { WebhookHandlerContext, WebhookJob } from './webhook-handler.js';

interface StatusChange extends IntegrationStatus {
  /** The provider no longer honours the tokens: keeping them would only invite failed calls. */
  wipeTokens: boolean;
}

function statusHandler(pubsub: PubSub, change: (webhook: WebhookJob) => StatusChange | null) {
  const statuses = new IntegrationStatusStore();
  return async (webhook: WebhookJob, { em, afterCommit }: WebhookHandlerContext): Promise<void> => {
    const wanted = change(webhook);
    if (!wanted) return;
    const { wipeTokens, ...status } = wanted;
    // A repeated notification (Slack retries, a second tokens_revoked) finds the row already so: no message.
    const write = await statuses.set(em, webhook.integrationId, status, { organizationId: webhook.organizationId, unlessDisconnected: true, wipeTokens });
    if (write) afterCommit(() => announceIntegrationWrite(pubsub, write));
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
