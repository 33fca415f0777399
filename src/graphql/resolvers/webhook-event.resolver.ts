import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { notFound } from '../../errors/app-error.js';
import type { WebhookEventSnapshot } from '../../pubsub/topics.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { clearLoaders } from '../loaders/index.js';
import { Integration, toIntegration } from '../types/integration.js';
import { toWebhookEvent, WebhookEvent } from '../types/webhook-event.js';
import { toWebhookEventConnection, WebhookEventConnection } from '../types/webhook-event-connection.js';
import { DEFAULT_PAGE_SIZE } from '../types/webhook-event-page-args.js';
import { WebhookEventsArgs } from '../types/webhook-events-args.js';
import { filterAsyncIterator } from './filter-async-iterator.js';

@Resolver(() => WebhookEvent)
export class WebhookEventResolver {
  @Query(() => WebhookEventConnection, {
    description: "Webhook events of the caller's organization, newest first; NOT_FOUND for an integration id it cannot see.",
  })
  async webhookEvents(
    @Ctx() context: GraphQLContext,
    @Args(() => WebhookEventsArgs) { integrationId, status, first, after }: WebhookEventsArgs,
  ): Promise<WebhookEventConnection> {
    requirePrincipal(context);
    if (integrationId && !(await context.loaders.integrationById.load(integrationId))) throw notFound('integration');
    const page = await context.reads.run((em, organizationId) =>
      context.services.webhookEvents.page(em, organizationId, { integrationId, status, first: first ?? DEFAULT_PAGE_SIZE, after }),
    );
    return toWebhookEventConnection(page);
  }

  @FieldResolver(() => Integration)
  async integration(@Root() event: WebhookEvent, @Ctx() context: GraphQLContext): Promise<Integration> {
    const row = await context.loaders.integrationById.load(event.integrationId);
    if (!row) throw notFound('integration');
    return toIntegration(row);
  }

  @Subscription(() => WebhookEvent, {
    description: "Progress of webhook events of the caller's organization, optionally for one integration.",
    subscribe: ({ context, args }) => {
      const ctx = context as GraphQLContext;
      const events = ctx.services.pubsub.subscribe('webhookEventUpdated', requirePrincipal(ctx).organizationId);
      const integrationId = (args as { integrationId?: string | null }).integrationId?.toLowerCase();
      return integrationId ? filterAsyncIterator(events, (event) => event.integrationId === integrationId) : events;
    },
  })
  webhookEventUpdated(
    @Root() snapshot: WebhookEventSnapshot,
    @Ctx() context: GraphQLContext,
    // Declares the argument; `subscribe` above does the filtering.
    @Arg('integrationId', () => ID, { nullable: true }) _integrationId?: string | null,
  ): WebhookEvent {
    clearLoaders(context.loaders);
    return toWebhookEvent(snapshot);
  }
}
