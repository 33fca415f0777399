import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { IntegrationRow } from '../../db/repositories/integration-row.js';
import type { IntegrationSnapshot } from '../../pubsub/topics.js';
import { toDate } from './date-value.js';
import { IntegrationStatus } from './integration-status.js';
import { VERSION_DESCRIPTION } from './version-description.js';
import { DateTime, JSONObject } from './scalars.js';

/**
 * An organization's connection to a provider, as clients see it. Deliberately a separate class
 * from IntegrationEntity: the sealed token columns cannot be selected because they are not here.
 * `provider` and `webhookEvents` are field resolvers (IntegrationResolver).
 */
@Directive('@key(fields: "id")')
@ObjectType()
export class Integration {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field()
  providerId!: string;

  @Field()
  providerName!: string;

  @Field(() => IntegrationStatus)
  status!: IntegrationStatus;

  @Field(() => [String])
  scopes!: string[];

  @Field(() => JSONObject, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field(() => DateTime, { nullable: true })
  connectedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  lastSyncAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  tokenExpiresAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Set when status is ERROR: what went wrong, in words a user can act on.' })
  errorMessage!: string | null;

  @Field({ description: 'True when the provider refused our refresh token: the user must connect again.' })
  needsReauthorization!: boolean;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  version!: number;
}

/**
 * Maps a row (an IntegrationRow, or an IntegrationEntity a mutation service returns: it has the same
 * fields) or a pub/sub snapshot; copies field by field so nothing else can leak through.
 */
export function toIntegration(source: IntegrationRow | IntegrationSnapshot): Integration {
  return Object.assign(new Integration(), {
    id: source.id,
    organizationId: source.organizationId,
    providerId: source.providerId,
    providerName: source.providerName,
    status: source.status as IntegrationStatus,
    scopes: [...source.scopes],
    metadata: source.metadata ?? null,
    connectedAt: toDate(source.connectedAt),
    lastSyncAt: toDate(source.lastSyncAt),
    tokenExpiresAt: toDate(source.tokenExpiresAt),
    errorMessage: source.errorMessage ?? null,
    needsReauthorization: source.needsReauthorization,
    version: source.version,
  });
}
