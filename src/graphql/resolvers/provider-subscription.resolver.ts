import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { AppError, ErrorCode, notFound } from '../../errors/app-error.js';
import type { ProviderSubscriptionSnapshot } from '../../pubsub/topics.js';
import type { SubscriptionService } from '../../subscriptions/subscription-service.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { clearLoaders } from '../loaders/index.js';
import { Integration, toIntegration } from '../types/integration.js';
import { ProviderSubscription, toProviderSubscription } from '../types/provider-subscription.js';
import { SubscribeToResourceInput } from '../types/subscribe-to-resource-input.js';
import { filterAsyncIterator } from './filter-async-iterator.js';

const subscriptionService = (context: GraphQLContext): SubscriptionService => {
  const service = context.services.subscriptions;
  if (!service) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'provider subscriptions are not available on this instance');
  return service;
};

/** Provider subscriptions: the mutations (one service call each), their integration, and their live changes. */
@Resolver(() => ProviderSubscription)
export class ProviderSubscriptionResolver {
  @Mutation(() => ProviderSubscription, {
    description: 'Asks the provider to send webhooks about a resource of this integration; kept alive until removed or disconnected.',
  })
  async subscribeToResource(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => SubscribeToResourceInput) input: SubscribeToResourceInput,
  ): Promise<ProviderSubscription> {
    const principal = requirePrincipal(context);
    return toProviderSubscription(await subscriptionService(context).subscribe(principal, input));
  }

  @Mutation(() => ProviderSubscription, { description: 'Stops the subscription at the provider and marks it STOPPED.' })
  async unsubscribeFromResource(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ProviderSubscription> {
    const principal = requirePrincipal(context);
    return toProviderSubscription(await subscriptionService(context).unsubscribe(principal, id));
  }

  @FieldResolver(() => Integration)
  async integration(@Root() subscription: ProviderSubscription, @Ctx() context: GraphQLContext): Promise<Integration> {
    const row = await context.loaders.integrationById.load(subscription.integrationId);
    if (!row) throw notFound('integration');
    return toIntegration(row);
  }

  @Subscription(() => ProviderSubscription, {
    description: "Every status change of a provider subscription in the caller's organization, optionally for one integration.",
    subscribe: ({ context, args }) => {
      const ctx = context as GraphQLContext;
      const changes = ctx.services.pubsub.subscribe('providerSubscriptionChanged', requirePrincipal(ctx).organizationId);
      const integrationId = (args as { integrationId?: string | null }).integrationId?.toLowerCase();
      return integrationId ? filterAsyncIterator(changes, (change) => change.integrationId === integrationId) : changes;
    },
  })
  providerSubscriptionChanged(
    @Root() snapshot: ProviderSubscriptionSnapshot,
    @Ctx() context: GraphQLContext,
    // Declares the argument; `subscribe` above does the filtering.
    @Arg('integrationId', () => ID, { nullable: true }) _integrationId?: string | null,
  ): ProviderSubscription {
    clearLoaders(context.loaders);
    return toProviderSubscription(snapshot);
  }
}
