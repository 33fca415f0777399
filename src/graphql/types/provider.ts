import { Field, ID, ObjectType } from 'type-graphql';
import { ProviderConnectionParam } from './provider-connection-param.js';
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

  @Field({ description: "The provider's OAuth documentation." })
  docs!: string;

  @Field(() => [String], {
    description: 'Names of the values a user must give when connecting (a Zendesk subdomain, a Shopify shop); empty for most.',
  })
  connectionParams!: string[];

  @Field(() => [ProviderConnectionParam], { description: 'The connection params with what to enter and what a valid value looks like.' })
  connectionParamDetails!: ProviderConnectionParam[];

  @Field(() => [String], { description: 'Resources that can be subscribed to for webhooks (their patterns).' })
  subscribableResources!: string[];

  @Field(() => [String], { description: 'Resources subscribed to by default on connect.' })
  defaultSubscriptions!: string[];
}
