import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A value the user gives when connecting a provider (a Zendesk subdomain, a Shopify shop).' })
export class ProviderConnectionParam {
  @Field({ description: 'The key in StartConnectionInput.connectionParams.' })
  name!: string;

  @Field({ description: 'What to enter, in words for the person connecting.' })
  description!: string;

  @Field({ description: 'A regular expression the whole value must match (JavaScript syntax).' })
  pattern!: string;

  @Field(() => String, { nullable: true, description: 'An example value.' })
  example?: string | null;
}
