import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Organizations are owned by another subgraph; this one only contributes `integrations`
 * (a field resolver, OrganizationResolver), so the type holds nothing but its key.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Organizations are owned by another subgraph; this one contributes their integrations.' })
export class Organization {
  @Field(() => ID)
  id!: string;
}
