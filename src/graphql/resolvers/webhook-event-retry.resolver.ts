import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../../errors/app-error.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toWebhookEvent, WebhookEvent } from '../types/webhook-event.js';

/** The `retryWebhookEvent` mutation: one service call (src/webhooks/retry-webhook-event.ts) plus mapping. */
@Resolver()
export class WebhookEventRetryResolver {
  @Mutation(() => WebhookEvent, { description: 'Puts a FAILED webhook event back on the queue.' })
  async retryWebhookEvent(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<WebhookEvent> {
    const principal = requirePrincipal(context);
    const retry = context.services.retryWebhookEvent;
    if (!retry) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'webhook retries are not available on this instance');
    return toWebhookEvent(await retry(principal, id));
  }
}
