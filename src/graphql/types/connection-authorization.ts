import { Field, ObjectType } from 'type-graphql';
import { DateTime } from './scalars.js';

/** The result of `startConnection`. The PKCE verifier is not here: it never leaves the server. */
@ObjectType()
export class ConnectionAuthorization {
  @Field({ description: "Where to send the user's browser." })
  authorizationUrl!: string;

  @Field({ description: 'Opaque, single-use; comes back on the callback.' })
  state!: string;

  @Field(() => DateTime)
  expiresAt!: Date;
}
