import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { ProviderSubscriptionRow } from '../../db/repositories/provider-subscription-row.js';
import type { ProviderSubscriptionSnapshot } from '../../pubsub/topics.js';
import { toDate } from './date-value.js';
import { ProviderSubscriptionStatus } from './provider-subscription-status.js';
import { DateTime } from './scalars.js';
import { VERSION_DESCRIPTION } from './version-description.js';

/** `integration` is a field resolver (ProviderSubscriptionResolver). Protocol state and secrets are not here. */
@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A subscription that the service holds at a provider, so that the provider sends webhooks about one resource of one integration: a Microsoft Graph subscription, a Google Calendar or Drive watch channel, a Gmail watch, an Asana webhook. The service creates, renews, repairs and stops it.',
})
export class ProviderSubscription {
  @Field(() => ID)
  id!: string;

  /** Not a GraphQL field: what `integration` is loaded by. */
  integrationId!: string;

  @Field({ description: "The resource in the provider's terms (see the service contract): '/me/events', 'calendar/primary', 'drive/changes', 'gmail/INBOX', an Asana project gid." })
  resource!: string;

  @Field(() => ProviderSubscriptionStatus)
  status!: ProviderSubscriptionStatus;

  @Field(() => String, { nullable: true, description: "The provider's id for it (Graph subscription id, Google channel id, Asana webhook gid); null until created." })
  externalId!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the provider will stop delivering unless renewed; null where the provider sets no expiry (Asana).' })
  expiresAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the service will next renew, re-create or re-check it.' })
  renewAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  lastNotificationAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Int, { description: 'How many times the provider said it could not deliver notifications (Graph `missed` lifecycle notifications).' })
  missedNotifications!: number;

  @Field(() => DateTime, { nullable: true, description: 'When the provider last said notifications were missed.' })
  lastMissedAt!: Date | null;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  version!: number;
}

/** Maps a row or a pub/sub snapshot field by field, so nothing else (state, lease) can leak through. */
export function toProviderSubscription(source: ProviderSubscriptionRow | ProviderSubscriptionSnapshot): ProviderSubscription {
  return Object.assign(new ProviderSubscription(), {
    id: source.id,
    integrationId: source.integrationId,
    resource: source.resource,
    status: source.status as ProviderSubscriptionStatus,
    externalId: source.externalId ?? null,
    expiresAt: toDate(source.expiresAt),
    renewAt: toDate(source.renewAt),
    lastNotificationAt: toDate(source.lastNotificationAt),
    lastError: source.lastError ?? null,
    missedNotifications: source.missedNotifications,
    lastMissedAt: toDate(source.lastMissedAt),
    createdAt: new Date(source.createdAt),
    version: source.version,
  });
}
