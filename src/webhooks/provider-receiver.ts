import type { InboundWebhook, WebhookReply } from './inbound-webhook.js';
import type { VerifiedDelivery } from './routed-integration.js';

/**
 * What a provider's receiver decides about one request: the reply, and the verified events to
 * store before that reply is sent (none for a handshake, a heartbeat or an unknown account).
 * A receiver throws `WebhookRejection` to refuse; any other error means "try again later" (503).
 */
export interface ReceiveResult {
  reply: WebhookReply;
  deliveries: VerifiedDelivery[];
}

/** One provider's verification, handshake and routing rules. */
export interface ProviderReceiver {
  receive(request: InboundWebhook): Promise<ReceiveResult>;
}
