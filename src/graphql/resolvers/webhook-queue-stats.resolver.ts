import { Ctx, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { WebhookQueueStats } from '../types/webhook-queue-stats.js';

@Resolver()
export class WebhookQueueStatsResolver {
  @Query(() => WebhookQueueStats)
  webhookQueueStats(@Ctx() context: GraphQLContext): Promise<WebhookQueueStats> {
    const { organizationId } = requirePrincipal(context);
    return context.services.database.withOrganization(organizationId, (em) =>
      context.services.webhookEvents.stats(em, organizationId),
    );
  }
}
