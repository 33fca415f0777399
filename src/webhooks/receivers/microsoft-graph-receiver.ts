import { z } from 'zod';
import { constantTimeEqual } from '../constant-time.js';
import { reject } from '../inbound-webhook.js';
import { digestDeliveryId, parseJsonObject } from '../parse-body.js';
import type { ProviderReceiver } from '../provider-receiver.js';
import type { VerifiedDelivery } from '../routed-integration.js';
import { isSubscriptionSignal, type SubscriptionSignal, type SubscriptionSignals } from '../subscription-signals.js';
import type { WebhookDirectory } from '../webhook-directory.js';
import type { WebhookLogger } from '../webhook-logger.js';

/**
 * A change or lifecycle notification:
 * https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#change-notification-example
 * https://learn.microsoft.com/graph/change-notifications-lifecycle-events
 */
const notification = z.looseObject({
  subscriptionId: z.string().min(1),
  clientState: z.string().nullish(),
  changeType: z.string().optional(),
  lifecycleEvent: z.string().optional(),
  resource: z.string().optional(),
  tenantId: z.string().optional(),
});
const notificationBatch = z.object({ value: z.array(notification).min(1).max(1000) });

/** Graph's handshake token is opaque; anything this long is not one. */
const MAX_VALIDATION_TOKEN_LENGTH = 2048;

export interface MicrosoftGraphReceiverOptions {
  directory: WebhookDirectory;
  /**
   * Where lifecycle notifications of managed subscriptions go (src/subscriptions). Without it
   * (a pipeline running without subscriptions) they are stored as events like the others.
   */
  signals?: SubscriptionSignals | undefined;
  logger?: WebhookLogger;
}

/**
 * Microsoft Graph change notifications. A new subscription is validated by a POST carrying
 * `validationToken`, answered within 10 s with the token as text/plain. Notifications arrive in
 * batches (`value`), each with the `clientState` secret given when the subscription was created;
 * one bad clientState refuses the whole batch (401) so nothing forged is stored. Graph wants 202.
 * Lifecycle notifications (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) of a
 * managed subscription are handed to the scheduler, not stored. A notification for a
 * subscription we do not know (stopped, or never ours) is acknowledged, so Graph stops retrying,
 * logged, and dropped.
 */
export function createMicrosoftGraphReceiver({ directory, signals, logger }: MicrosoftGraphReceiverOptions): ProviderReceiver {
  return {
    async receive(request) {
      const validationToken = request.query.get('validationToken');
      if (validationToken !== null) {
        if (validationToken.length === 0 || validationToken.length > MAX_VALIDATION_TOKEN_LENGTH) reject(400, 'bad validationToken');
        // text/plain (and nosniff) so an echoed token can never be interpreted as markup.
        return { reply: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: validationToken }, deliveries: [] };
      }
      const parsed = notificationBatch.safeParse(parseJsonObject(request.rawBody));
      if (!parsed.success) return reject(400, 'malformed Graph notification batch');

      const deliveries: VerifiedDelivery[] = [];
      const lifecycle: { subscriptionId: string; signal: SubscriptionSignal }[] = [];
      let unknown = 0;
      for (const item of parsed.data.value) {
        const endpoint = await directory.endpoint('microsoft', item.subscriptionId);
        if (!endpoint) {
          unknown++;
          continue;
        }
        if (!endpoint.secret || !item.clientState || !constantTimeEqual(endpoint.secret, item.clientState)) {
          reject(401, 'Graph clientState mismatch');
        }
        if (signals && endpoint.subscriptionId && isSubscriptionSignal(item.lifecycleEvent)) {
          lifecycle.push({ subscriptionId: endpoint.subscriptionId, signal: item.lifecycleEvent });
          continue;
        }
        const { clientState: _secret, ...payload } = item; // the secret is not stored with the event
        deliveries.push({
          integrationId: endpoint.integrationId,
          organizationId: endpoint.organizationId,
          eventType: item.lifecycleEvent ?? item.changeType ?? 'notification',
          payload,
          deliveryId: digestDeliveryId(item),
          subscriptionId: endpoint.subscriptionId,
        });
      }
      // Durable before the 202: a failure here answers 503 and Graph delivers the batch again.
      for (const { subscriptionId, signal } of lifecycle) await signals!.signal(subscriptionId, signal);
      if (unknown > 0) logger?.info({ provider: 'microsoft', count: unknown }, 'Graph notifications for unknown or stopped subscriptions acknowledged and dropped');
      return { reply: { status: 202 }, deliveries };
    },
  };
}
