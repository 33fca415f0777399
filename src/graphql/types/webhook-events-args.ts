import { ArgsType, Field, ID, Int } from 'type-graphql';
import { WebhookEventStatus } from './webhook-event-status.js';
import { DEFAULT_PAGE_SIZE } from './webhook-event-page-args.js';

/** Arguments of `Query.webhookEvents`, in the contract's order. */
@ArgsType()
export class WebhookEventsArgs {
  @Field(() => ID, { nullable: true })
  integrationId?: string | null;

  @Field(() => WebhookEventStatus, { nullable: true })
  status?: WebhookEventStatus | null;

  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: 'At most 100; 0 gives only totalCount.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}
