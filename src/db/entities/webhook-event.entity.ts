import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

export type WebhookEventStatusValue = 'pending' | 'processing' | 'completed' | 'failed';

/** One inbound webhook delivery. The row is the truth; queues only carry its id. */
@Entity({ tableName: 'webhook_events' })
export class WebhookEventEntity {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'uuid' })
  integrationId!: string;

  @Property({ type: 'text' })
  provider!: string;

  @Property({ type: 'text' })
  eventType!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ type: 'text' })
  status: WebhookEventStatusValue = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'integer' })
  maxAttempts = 8;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** The provider's id for this delivery; unique per provider so a re-delivery is stored once. */
  @Property({ type: 'text', nullable: true })
  deliveryId: string | null = null;

  /** When the event is next due for an attempt (backoff). */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt: Date = new Date();

  /** While PROCESSING: until when the claiming worker holds it; the sweeper reclaims it after. */
  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  processedAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** 1 on insert, one more on every UPDATE (a database trigger): orders the row's pub/sub snapshots. */
  @Property({ type: 'integer', defaultRaw: '1' })
  version = 1;
}
