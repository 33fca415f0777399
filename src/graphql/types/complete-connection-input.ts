import { Field, InputType } from 'type-graphql';

@InputType()
export class CompleteConnectionInput {
  @Field()
  state!: string;

  @Field(() => String, { nullable: true })
  code?: string | null;

  @Field(() => String, { nullable: true, description: "The provider's error parameter, when the user declined." })
  error?: string | null;

  @Field(() => String, { nullable: true, description: "The provider's iss parameter (RFC 9207), when it sent one." })
  iss?: string | null;
}
