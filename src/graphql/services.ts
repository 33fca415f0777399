import type { Database } from '../db/database.js';
import type { IntegrationRepository } from '../db/repositories/integration.repository.js';
import type { ProviderSubscriptionRepository } from '../db/repositories/provider-subscription.repository.js';
import type { WebhookEventRepository } from '../db/repositories/webhook-event.repository.js';
import type { PubSub } from '../pubsub/topics.js';
import type { ProviderHealth } from '../resilience/circuit-breaker.js';

/** A provider as the catalogue shows it: registry data plus whether this deployment has credentials. */
export interface ProviderCatalogEntry {
  id: string;
  name: string;
  /** The provider's OAuth documentation. */
  docs: string;
  configured: boolean;
  scopes: readonly { name: string; description: string }[];
  defaultScopes: readonly string[];
  /** What a user gives when connecting (a Zendesk subdomain). */
  connectionParams: readonly { name: string; description: string; pattern: string; example?: string | undefined }[];
  subscribableResources: readonly string[];
  defaultSubscriptions: readonly string[];
}

/** The resilience layer's view of one provider (its circuit breaker). */
export type ProviderHealthState = ProviderHealth;

/**
 * What the GraphQL layer is given by the composition root (src/app.ts). Plain values, no
 * container: resolvers reach everything through `ctx.services`. Engineers adding mutations add
 * their service here.
 */
export interface GraphQLServices {
  database: Database;
  integrations: IntegrationRepository;
  webhookEvents: WebhookEventRepository;
  providerSubscriptions: ProviderSubscriptionRepository;
  pubsub: PubSub;
  /** Every provider the deployment knows, configured or not; fixed at start-up. */
  providers: readonly ProviderCatalogEntry[];
  /**
   * Live breaker state of a provider.
   * @default getProviderHealth: the process's breaker registry, which every provider client uses
   */
  providerHealth?: (providerId: string) => ProviderHealthState;
  /** startConnection / completeConnection / disconnectIntegration / testIntegration (src/connections). */
  connections?: import('../connections/connection-services.js').ConnectionServices;
  /** retryWebhookEvent (src/webhooks). */
  retryWebhookEvent?: import('../webhooks/retry-webhook-event.js').RetryWebhookEvent;
  /** subscribeToResource / unsubscribeFromResource (src/subscriptions). */
  subscriptions?: import('../subscriptions/subscription-service.js').SubscriptionService;
}
