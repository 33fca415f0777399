import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class WebhookQueueStats {
  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  processing!: number;

  @Field(() => Int)
  completed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int, { description: 'Age in seconds of the oldest event still PENDING; 0 when none.' })
  oldestPendingAgeSeconds!: number;
}
