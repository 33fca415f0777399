import type { WebhookEventEntity } from '../db/entities/index.js';
import { toWebhookEventSnapshot } from '../db/snapshots.js';
import type { PubSub } from '../pubsub/topics.js';
import type { WebhookLogger } from './webhook-logger.js';

/**
 * Publishes `webhookEventUpdated` after each committed transition. A failed publish is logged,
 * never thrown: the row is already committed and is the truth; subscribers can re-read it.
 * The rows are distinct events, so they go out together (one pipelined round trip on Redis);
 * the transitions of one event stay in order because each is published before the next happens.
 */
export function createWebhookEventPublisher(pubsub: PubSub, logger: WebhookLogger) {
  return async (rows: readonly WebhookEventEntity[]): Promise<void> => {
    await Promise.all(
      rows.map((row) =>
        pubsub
          .publish('webhookEventUpdated', toWebhookEventSnapshot(row))
          .catch((error: unknown) => logger.warn({ eventId: row.id, err: (error as Error).message }, 'webhookEventUpdated not published')),
      ),
    );
  };
}

export type WebhookEventPublisher = ReturnType<typeof createWebhookEventPublisher>;
