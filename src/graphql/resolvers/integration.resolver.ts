import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { IntegrationSnapshot } from '../../pubsub/topics.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { clearLoaders } from '../loaders/index.js';
import { Integration, toIntegration } from '../types/integration.js';
import { IntegrationStatus } from '../types/integration-status.js';
import { Provider } from '../types/provider.js';
import { ProviderSubscription, toProviderSubscription } from '../types/provider-subscription.js';
import { toWebhookEventConnection, WebhookEventConnection } from '../types/webhook-event-connection.js';
import { DEFAULT_PAGE_SIZE, WebhookEventPageArgs } from '../types/webhook-event-page-args.js';
import { toProvider, unknownProvider } from './provider.resolver.js';

@Resolver(() => Integration)
export class IntegrationResolver {
  @Query(() => [Integration], { description: "Integrations of the caller's organization." })
  async integrations(
    @Ctx() context: GraphQLContext,
    @Arg('status', () => IntegrationStatus, { nullable: true }) status?: IntegrationStatus | null,
  ): Promise<Integration[]> {
    requirePrincipal(context);
    const rows = await context.reads.run((em, organizationId) => context.services.integrations.list(em, organizationId, status ?? undefined));
    // Later lookups by id in the same operation (WebhookEvent.integration) are then free.
    for (const row of rows) context.loaders.integrationById.prime(row.id, row);
    return rows.map(toIntegration);
  }

  @Query(() => Integration, { nullable: true, description: "One integration of the caller's organization; null for any other id." })
  async integration(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Integration | null> {
    requirePrincipal(context);
    const row = await context.loaders.integrationById.load(id);
    return row ? toIntegration(row) : null;
  }

  @FieldResolver(() => Provider)
  provider(@Root() integration: Integration, @Ctx() context: GraphQLContext): Provider {
    const entry = context.services.providers.find((provider) => provider.id === integration.providerId);
    // A row can outlive its provider's registration (a provider removed from this deployment):
    // it is still shown, as an unconfigured provider, rather than failing the whole list.
    return toProvider(entry ?? unknownProvider(integration.providerId, integration.providerName));
  }

  @FieldResolver(() => WebhookEventConnection)
  async webhookEvents(
    @Root() integration: Integration,
    @Ctx() context: GraphQLContext,
    @Args(() => WebhookEventPageArgs) { first, after, status }: WebhookEventPageArgs,
  ): Promise<WebhookEventConnection> {
    const page = await context.loaders.webhookEventPage.load({
      integrationId: integration.id,
      first: first ?? DEFAULT_PAGE_SIZE,
      after: after ?? null,
      status: status ?? null,
    });
    return toWebhookEventConnection(page);
  }

  @FieldResolver(() => [ProviderSubscription])
  async providerSubscriptions(@Root() integration: Integration, @Ctx() context: GraphQLContext): Promise<ProviderSubscription[]> {
    const rows = await context.loaders.providerSubscriptionsByIntegration.load(integration.id);
    return rows.map(toProviderSubscription);
  }

  @Subscription(() => Integration, {
    description: "Every status change of an integration in the caller's organization.",
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.pubsub.subscribe('integrationStatusChanged', requirePrincipal(ctx).organizationId);
    },
  })
  integrationStatusChanged(@Root() snapshot: IntegrationSnapshot, @Ctx() context: GraphQLContext): Integration {
    clearLoaders(context.loaders);
    return toIntegration(snapshot);
  }
}
