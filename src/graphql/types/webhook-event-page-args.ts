import { ArgsType, Field, Int } from 'type-graphql';
import { WebhookEventStatus } from './webhook-event-status.js';

/** The contract's default page size; an explicit null means the same. */
export const DEFAULT_PAGE_SIZE = 20;

/** Arguments of `Integration.webhookEvents`, in the contract's order. */
@ArgsType()
export class WebhookEventPageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: 'At most 100; 0 gives only totalCount.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;

  @Field(() => WebhookEventStatus, { nullable: true })
  status?: WebhookEventStatus | null;
}
