import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';

export type IntegrationStatusValue = 'connected' | 'disconnected' | 'error';

/**
 * One organization's connection to one provider. The sealed token columns live only here:
 * GraphQL types are separate classes, so a token can never be selected by a client.
 */
@Entity({ tableName: 'integrations' })
@Unique({ properties: ['organizationId', 'providerId'] })
export class IntegrationEntity {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Index()
  @Property({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'text' })
  providerId!: string;

  @Property({ type: 'text' })
  providerName!: string;

  @Property({ type: 'text' })
  status: IntegrationStatusValue = 'connected';

  /** AES-256-GCM sealed (see src/crypto); AAD binds it to this row and column. */
  @Property({ type: 'text', nullable: true, lazy: true })
  accessToken: string | null = null;

  /** AES-256-GCM sealed (see src/crypto); AAD binds it to this row and column. */
  @Property({ type: 'text', nullable: true, lazy: true })
  refreshToken: string | null = null;

  /** Id of the key that sealed the tokens, so re-sealing can find rows on old keys. */
  @Property({ type: 'text', nullable: true })
  tokenKeyId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  tokenExpiresAt: Date | null = null;

  @Property({ type: 'text[]' })
  scopes: string[] = [];

  @Property({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null = null;

  /** The `sub` of the user who connected it: they may disconnect it without the admin role. */
  @Property({ type: 'text', nullable: true })
  connectedBy: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  connectedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastSyncAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Property({ type: 'boolean' })
  needsReauthorization = false;

  /** Values for the provider entry's `{placeholders}` (given when connecting, or learned then). Not secret. */
  @Property({ type: 'jsonb' })
  connectionParams: Record<string, string> = {};

  /** The provider-side account (Slack team, Microsoft tenant, Google subject): routes webhooks. */
  @Property({ type: 'text', nullable: true })
  externalAccountId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** 1 on insert, one more on every UPDATE (a database trigger): orders the row's pub/sub snapshots. */
  @Property({ type: 'integer', defaultRaw: '1' })
  version = 1;
}
