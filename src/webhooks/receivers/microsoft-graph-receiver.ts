import { z } from 'zod';
import { constantTimeEqual } from '../constant-time.js';
import { reject } from '../inbound-webhook.js';
import { digestDeliveryId, parseJsonObject } from '../parse-body.js';
import type { ProviderReceiver } from '../provider-receiver.js';
import type { VerifiedDelivery } from '../routed-integration.js';
import type { WebhookDirectory } from '../webhook-directory.js';

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
}

/**
 * Microsoft Graph change notifications. A new subscription is validated by a POST carrying
 * `validationToken`, answered within 10 s with the token as text/plain. Notifications arrive in
 * batches (`value`), each with the `clientState` secret given when the subscription was created;
 * one bad clientState refuses the whole batch (401) so nothing forged is stored. Graph wants 202.
 */
export function createMicrosoftGraphReceiver({ directory }: MicrosoftGraphReceiverOptions): ProviderReceiver {
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
      for (const item of parsed.data.value) {
        const endpoint = await directory.endpoint('microsoft', item.subscriptionId);
        if (!endpoint) continue; // a subscription we no longer know: acknowledged and dropped
        if (!endpoint.secret || !item.clientState || !constantTimeEqual(endpoint.secret, item.clientState)) {
          reject(401, 'Graph clientState mismatch');
        }
        const { clientState: _secret, ...payload } = item; // the secret is not stored with the event
        deliveries.push({
          integrationId: endpoint.integrationId,
          organizationId: endpoint.organizationId,
          eventType: item.lifecycleEvent ?? item.changeType ?? 'notification',
          payload,
          deliveryId: digestDeliveryId(item),
        });
      }
      return { reply: { status: 202 }, deliveries };
    },
  };
}
