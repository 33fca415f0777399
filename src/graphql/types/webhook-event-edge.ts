import { Field, ObjectType } from 'type-graphql';
import { WebhookEvent } from './webhook-event.js';

@ObjectType()
export class WebhookEventEdge {
  @Field()
  cursor!: string;

  @Field(() => WebhookEvent)
  node!: WebhookEvent;
}
