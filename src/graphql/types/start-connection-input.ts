import { Field, InputType } from 'type-graphql';
import { JSONObject } from './scalars.js';

@InputType()
export class StartConnectionInput {
  @Field()
  providerId!: string;

  @Field({ description: "Must be on this deployment's allow-list of redirect URIs." })
  redirectUri!: string;

  @Field(() => [String], { nullable: true, description: "Defaults to the provider's defaultScopes." })
  scopes?: string[] | null;

  @Field(() => JSONObject, { nullable: true, description: 'Values for the provider\'s connectionParams, e.g. { subdomain: "acme" }.' })
  connectionParams?: Record<string, unknown> | null;
}
