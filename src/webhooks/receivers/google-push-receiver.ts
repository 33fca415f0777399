import { constantTimeEqual } from '../constant-time.js';
import { reject } from '../inbound-webhook.js';
import type { ProviderReceiver, ReceiveResult } from '../provider-receiver.js';
import type { InboundWebhook } from '../inbound-webhook.js';
import type { WebhookDirectory } from '../webhook-directory.js';
import type { WebhookLogger } from '../webhook-logger.js';
import type { PubSubPushVerifier } from './google-pubsub-push.js';

export interface GooglePushReceiverOptions {
  directory: WebhookDirectory;
  /** Gmail notifications through Pub/Sub push, when `GOOGLE_PUBSUB_TOPIC` is configured. */
  pubsub?: PubSubPushVerifier | undefined;
  logger?: WebhookLogger;
}

/**
 * A Gmail notification: routed by mailbox to every integration holding a live Gmail subscription
 * on it. One nobody subscribes to (any more) is acknowledged, so Pub/Sub stops retrying it.
 */
async function receiveGmail(request: InboundWebhook, pubsub: PubSubPushVerifier, directory: WebhookDirectory, logger: WebhookLogger | undefined): Promise<ReceiveResult> {
  const push = await pubsub.receive(request);
  const subscribers = await directory.gmailSubscribers(push.emailAddress);
  if (subscribers.length === 0) logger?.info({ provider: 'google' }, 'Gmail notification for a mailbox nobody subscribes to acknowledged and dropped');
  const payload = { emailAddress: push.emailAddress, historyId: push.historyId, messageId: push.messageId, publishTime: push.publishTime, subscription: push.subscription };
  return {
    // Pub/Sub counts 102, 200, 201, 202 and 204 as acknowledgements: https://cloud.google.com/pubsub/docs/push#receive_push
    reply: { status: 204 },
    deliveries: subscribers.map((subscriber) => ({ ...subscriber, eventType: 'gmail.history', payload, deliveryId: `pubsub:${push.messageId}` })),
  };
}

/**
 * Google push notifications (Calendar, Drive): https://developers.google.com/calendar/api/guides/push
 * Everything is in headers; the channel id names the channel registered for an integration and the
 * channel token is the secret we set on it. The first message of a channel has resource state
 * `sync` and carries no change: it is acknowledged and not stored. Google retries only 5xx answers,
 * so an unknown channel gets 404 (not retried, nothing stored). Gmail's Pub/Sub pushes (no
 * channel headers, a bearer token) arrive at the same URL.
 */
export function createGooglePushReceiver({ directory, pubsub, logger }: GooglePushReceiverOptions): ProviderReceiver {
  return {
    async receive(request) {
      const channelId = request.headers['x-goog-channel-id'];
      if (channelId === undefined && pubsub) return receiveGmail(request, pubsub, directory, logger);
      const token = request.headers['x-goog-channel-token'];
      const resourceState = request.headers['x-goog-resource-state'];
      const messageNumber = request.headers['x-goog-message-number'];
      if (!channelId || !resourceState || !messageNumber) return reject(400, 'missing Google channel headers');
      if (!token) return reject(401, 'missing Google channel token');
      if (!/^\d{1,20}$/.test(messageNumber)) return reject(400, 'malformed Google message number');

      const endpoint = await directory.endpoint('google', channelId);
      if (!endpoint) return reject(404, 'unknown Google channel');
      if (!endpoint.secret || !constantTimeEqual(endpoint.secret, token)) return reject(401, 'Google channel token mismatch');
      if (resourceState === 'sync') return { reply: { status: 200 }, deliveries: [] };

      const payload: Record<string, unknown> = {
        channelId,
        resourceState,
        messageNumber: Number(messageNumber),
        resourceId: request.headers['x-goog-resource-id'] ?? null,
        resourceUri: request.headers['x-goog-resource-uri'] ?? null,
        changed: request.headers['x-goog-changed']?.split(',') ?? [],
        channelExpiration: request.headers['x-goog-channel-expiration'] ?? null,
      };
      return {
        reply: { status: 200 },
        // Message numbers grow per channel: (channel, number) identifies a delivery.
        deliveries: [
          {
            integrationId: endpoint.integrationId,
            organizationId: endpoint.organizationId,
            eventType: resourceState,
            payload,
            deliveryId: `${channelId}:${messageNumber}`,
            subscriptionId: endpoint.subscriptionId,
          },
        ],
      };
    },
  };
}
