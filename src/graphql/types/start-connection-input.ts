import { Field, InputType } from 'type-graphql';

@InputType()
export class StartConnectionInput {
  @Field()
  providerId!: string;

  @Field({ description: "Must be on this deployment's allow-list of redirect URIs." })
  redirectUri!: string;

  @Field(() => [String], { nullable: true, description: "Defaults to the provider's defaultScopes." })
  scopes?: string[] | null;
}
