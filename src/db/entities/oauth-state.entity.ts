import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A pending authorization (the server side of `startConnection`). Keyed by the SHA-256 of
 * the state so a database leak does not yield usable states; the PKCE verifier is sealed.
 * Consumed exactly once by `DELETE … RETURNING`.
 */
@Entity({ tableName: 'oauth_states' })
export class OAuthStateEntity {
  @PrimaryKey({ type: 'text' })
  stateHash!: string;

  @Property({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  providerId!: string;

  @Property({ type: 'text' })
  redirectUri!: string;

  @Property({ type: 'text[]' })
  scopes: string[] = [];

  /** The connection params the user gave, for the callback to use. Not secret. */
  @Property({ type: 'jsonb' })
  connectionParams: Record<string, string> = {};

  /** Sealed PKCE code verifier: it never leaves the server. */
  @Property({ type: 'text' })
  codeVerifier!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
