import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toIntegration, type Integration } from '../types/integration.js';
import { Organization } from '../types/organization.js';
import { toProviderSubscription, type ProviderSubscription } from '../types/provider-subscription.js';
import { toWebhookEvent, type WebhookEvent } from '../types/webhook-event.js';

/**
 * Federation `__resolveReference` per entity. Each goes through a DataLoader, so an `_entities`
 * call with any number of representations costs one batch per type. Another organization's
 * id resolves to null, exactly like an id that does not exist.
 */
export const entityReferenceResolvers = {
  Integration: {
    async __resolveReference(reference: { id: string }, context: GraphQLContext): Promise<Integration | null> {
      requirePrincipal(context);
      const row = await context.loaders.integrationById.load(reference.id);
      return row ? toIntegration(row) : null;
    },
  },
  WebhookEvent: {
    async __resolveReference(reference: { id: string }, context: GraphQLContext): Promise<WebhookEvent | null> {
      requirePrincipal(context);
      const row = await context.loaders.webhookEventById.load(reference.id);
      return row ? toWebhookEvent(row) : null;
    },
  },
  ProviderSubscription: {
    async __resolveReference(reference: { id: string }, context: GraphQLContext): Promise<ProviderSubscription | null> {
      requirePrincipal(context);
      const row = await context.loaders.providerSubscriptionById.load(reference.id);
      return row ? toProviderSubscription(row) : null;
    },
  },
  Organization: {
    // Nothing to load: the type's only own field is its key; `integrations` batches itself.
    __resolveReference: (reference: { id: string }): Organization => Object.assign(new Organization(), { id: reference.id }),
  },
};
