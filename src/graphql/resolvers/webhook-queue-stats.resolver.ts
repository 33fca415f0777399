import { Ctx, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { WebhookQueueStats } from '../types/webhook-queue-stats.js';

@Resolver()
export class WebhookQueueStatsResolver {
  @Query(() => WebhookQueueStats)
  webhookQueueStats(@Ctx() context: GraphQLContext): Promise<WebhookQueueStats> {
    requirePrincipal(context);
    return context.reads.run((em, organizationId) => context.services.webhookEvents.stats(em, organizationId));
  }
}
