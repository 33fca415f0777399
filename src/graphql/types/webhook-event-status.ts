import { registerEnumType } from 'type-graphql';

/** GraphQL names in upper case; the values are the database's, so rows map without translation. */
export enum WebhookEventStatus {
  PENDING = 'pending',
  PROCESSING = 'processing',
  COMPLETED = 'completed',
  FAILED = 'failed',
}

registerEnumType(WebhookEventStatus, { name: 'WebhookEventStatus' });
