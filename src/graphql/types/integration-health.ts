import { Field, Int, ObjectType } from 'type-graphql';
import { Integration } from './integration.js';
import { DateTime } from './scalars.js';

/** The result of `testIntegration`: one live call to the provider with the stored credentials. */
@ObjectType()
export class IntegrationHealth {
  @Field(() => Integration)
  integration!: Integration;

  @Field()
  healthy!: boolean;

  @Field(() => DateTime)
  checkedAt!: Date;

  @Field(() => Int, { nullable: true })
  latencyMs!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
