import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual } from '../constant-time.js';
import { reject } from '../inbound-webhook.js';
import { digestDeliveryId, parseJsonObject } from '../parse-body.js';
import type { ProviderReceiver } from '../provider-receiver.js';
import type { WebhookDirectory } from '../webhook-directory.js';

/** https://developers.asana.com/docs/webhooks-guide#receiving-events */
const eventBatch = z.object({
  events: z.array(
    z.looseObject({
      action: z.string().min(1),
      resource: z.looseObject({ resource_type: z.string().min(1) }),
    }),
  ),
});
const SIGNATURE = /^[0-9a-f]{64}$/;

export interface AsanaReceiverOptions {
  directory: WebhookDirectory;
}

/**
 * Asana webhooks: https://developers.asana.com/docs/webhooks-guide
 * The target URL carries the hook, a random id registered (without secret) just before the
 * webhook is created. Asana's handshake POST carries `X-Hook-Secret`: stored (sealed) the first
 * time only, within minutes of the registration and for a live integration, and echoed back.
 * Later deliveries carry `X-Hook-Signature`, the hex HMAC-SHA256 of the body with that secret. Asana sends no timestamp to bound replays; a replayed body hashes to
 * an already-stored delivery id and is not stored twice. Empty `events` arrays are heartbeats.
 */
export function createAsanaReceiver({ directory }: AsanaReceiverOptions): ProviderReceiver {
  return {
    async receive(request) {
      const hook = request.hook ?? request.query.get('hook');
      if (!hook) return reject(404, 'missing Asana hook id');

      const handshakeSecret = request.headers['x-hook-secret'];
      if (handshakeSecret !== undefined) {
        if (handshakeSecret.length === 0 || handshakeSecret.length > 512) return reject(400, 'malformed X-Hook-Secret');
        if (!(await directory.completeHandshake('asana', hook, handshakeSecret))) return reject(401, 'Asana handshake not expected for this hook');
        return { reply: { status: 200, headers: { 'x-hook-secret': handshakeSecret } }, deliveries: [] };
      }

      const signature = request.headers['x-hook-signature'];
      if (!signature) return reject(401, 'missing X-Hook-Signature');
      if (!SIGNATURE.test(signature)) return reject(401, 'malformed X-Hook-Signature');
      const endpoint = await directory.endpoint('asana', hook);
      if (!endpoint) return reject(404, 'unknown Asana hook');
      if (!endpoint.secret) return reject(401, 'Asana handshake not completed');
      const expected = createHmac('sha256', endpoint.secret).update(request.rawBody).digest('hex');
      if (!constantTimeEqual(expected, signature)) return reject(401, 'Asana signature mismatch');

      const parsed = eventBatch.safeParse(parseJsonObject(request.rawBody));
      if (!parsed.success) return reject(400, 'malformed Asana event batch');
      return {
        reply: { status: 200 },
        deliveries: parsed.data.events.map((event) => ({
          integrationId: endpoint.integrationId,
          organizationId: endpoint.organizationId,
          eventType: `${event.resource.resource_type}.${event.action}`,
          payload: event as Record<string, unknown>,
          deliveryId: digestDeliveryId(event),
          subscriptionId: endpoint.subscriptionId,
        })),
      };
    },
  };
}
