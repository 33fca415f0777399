import type { OrganizationReads } from '../organization-reads.js';
import type { GraphQLServices } from '../services.js';
import { createIntegrationByIdLoader } from './integration-by-id.loader.js';
import { createIntegrationsByOrganizationLoader } from './integrations-by-organization.loader.js';
import { organizationScope } from './organization-scope.js';
import { createProviderSubscriptionByIdLoader, createProviderSubscriptionsByIntegrationLoader } from './provider-subscriptions.loader.js';
import { createWebhookEventByIdLoader } from './webhook-event-by-id.loader.js';
import { createWebhookEventPageLoader } from './webhook-event-page.loader.js';

/** The per-operation DataLoaders: every relation and every `_entities` list goes through one. */
export interface Loaders {
  integrationById: ReturnType<typeof createIntegrationByIdLoader>;
  webhookEventById: ReturnType<typeof createWebhookEventByIdLoader>;
  webhookEventPage: ReturnType<typeof createWebhookEventPageLoader>;
  integrationsByOrganization: ReturnType<typeof createIntegrationsByOrganizationLoader>;
  providerSubscriptionsByIntegration: ReturnType<typeof createProviderSubscriptionsByIntegrationLoader>;
  providerSubscriptionById: ReturnType<typeof createProviderSubscriptionByIdLoader>;
}

export function createLoaders(services: GraphQLServices, reads: OrganizationReads): Loaders {
  const scope = organizationScope(reads);
  return {
    integrationById: createIntegrationByIdLoader(services, scope),
    webhookEventById: createWebhookEventByIdLoader(services, scope),
    webhookEventPage: createWebhookEventPageLoader(services, scope),
    integrationsByOrganization: createIntegrationsByOrganizationLoader(services, scope, reads.organizationId),
    providerSubscriptionsByIntegration: createProviderSubscriptionsByIntegrationLoader(services, scope),
    providerSubscriptionById: createProviderSubscriptionByIdLoader(services, scope),
  };
}

/**
 * Forgets every cached row. A subscription executes each event with the context of its
 * `subscribe` message, so without this the second event would show the first one's relations.
 */
export function clearLoaders(loaders: Loaders): void {
  for (const loader of Object.values(loaders)) loader.clearAll();
}
