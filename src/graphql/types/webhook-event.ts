import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { WebhookEventRow } from '../../db/repositories/webhook-event-row.js';
import type { WebhookEventSnapshot } from '../../pubsub/topics.js';
import { toDate } from './date-value.js';
import { VERSION_DESCRIPTION } from './version-description.js';
import { DateTime, JSONObject } from './scalars.js';
import { WebhookEventStatus } from './webhook-event-status.js';

/** One inbound webhook delivery. `integration` is a field resolver (WebhookEventResolver). */
@Directive('@key(fields: "id")')
@ObjectType()
export class WebhookEvent {
  @Field(() => ID)
  id!: string;

  /** Not a GraphQL field: what `integration` is loaded by. */
  integrationId!: string;

  @Field()
  provider!: string;

  @Field()
  eventType!: string;

  @Field(() => JSONObject)
  payload!: Record<string, unknown>;

  @Field(() => WebhookEventStatus)
  status!: WebhookEventStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => DateTime, { nullable: true })
  processedAt!: Date | null;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  version!: number;
}

export function toWebhookEvent(source: WebhookEventRow | WebhookEventSnapshot): WebhookEvent {
  return Object.assign(new WebhookEvent(), {
    id: source.id,
    integrationId: source.integrationId,
    provider: source.provider,
    eventType: source.eventType,
    payload: source.payload,
    status: source.status as WebhookEventStatus,
    attempts: source.attempts,
    errorMessage: source.errorMessage ?? null,
    processedAt: toDate(source.processedAt),
    createdAt: new Date(source.createdAt),
    version: source.version,
  });
}
