import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class SubscribeToResourceInput {
  @Field(() => ID)
  integrationId!: string;

  @Field({ description: "The resource in the provider's terms; one of the provider's subscribableResources patterns filled in." })
  resource!: string;
}
