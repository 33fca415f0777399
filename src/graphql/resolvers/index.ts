import type { NonEmptyArray } from 'type-graphql';
import { ConnectionResolver } from './connection.resolver.js';
import { IntegrationResolver } from './integration.resolver.js';
import { OrganizationResolver } from './organization.resolver.js';
import { ProviderResolver } from './provider.resolver.js';
import { ProviderSubscriptionResolver } from './provider-subscription.resolver.js';
import { WebhookEventResolver } from './webhook-event.resolver.js';
import { WebhookEventRetryResolver } from './webhook-event-retry.resolver.js';
import { WebhookQueueStatsResolver } from './webhook-queue-stats.resolver.js';

/**
 * Every type-graphql resolver class of the subgraph. Resolvers of other packages (mutations)
 * are added here, one line each.
 */
export const resolvers: NonEmptyArray<Function> = [
  ProviderResolver,
  IntegrationResolver,
  WebhookEventResolver,
  WebhookQueueStatsResolver,
  OrganizationResolver,
  ConnectionResolver,
  WebhookEventRetryResolver,
  ProviderSubscriptionResolver,
];

export { entityReferenceResolvers } from './entity-references.js';
