import { Field, Int, ObjectType } from 'type-graphql';
import { CircuitState } from './circuit-state.js';
import { DateTime } from './scalars.js';

@ObjectType({ description: 'Live state of the resilience layer for one provider, as seen by this instance.' })
export class ProviderHealth {
  @Field(() => CircuitState)
  circuitState!: CircuitState;

  @Field(() => Int)
  consecutiveFailures!: number;

  @Field(() => DateTime, { nullable: true })
  lastFailureAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;
}
