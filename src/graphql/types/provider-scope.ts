import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One permission a provider can grant, as shown to the person choosing what to grant.' })
export class ProviderScope {
  @Field()
  name!: string;

  @Field()
  description!: string;
}
