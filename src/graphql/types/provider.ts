import { Field, ID, ObjectType } from 'type-graphql';
import { ProviderScope } from './provider-scope.js';

/** `health` is a field resolver (ProviderResolver): it is live state, not catalogue data. */
@ObjectType({ description: 'An external service that an organization can connect (google, slack, microsoft, asana, ...).' })
export class Provider {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'True when this deployment has client credentials for the provider.' })
  configured!: boolean;

  @Field(() => [ProviderScope])
  scopes!: ProviderScope[];

  @Field(() => [String])
  defaultScopes!: string[];
}
