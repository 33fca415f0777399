import type { IntegrationSnapshot, WebhookEventSnapshot } from '../pubsub/topics.js';
import type { WebhookEventEntity } from './entities/index.js';
import type { IntegrationRow } from './repositories/integration-row.js';

const iso = (date: Date | null | undefined): string | null => (date ? new Date(date).toISOString() : null);

/** The public fields of an integration row (or entity), for pub/sub. Token columns are deliberately absent. */
export function toIntegrationSnapshot(row: IntegrationRow): IntegrationSnapshot {
  return {
    id: row.id,
    organizationId: row.organizationId,
    providerId: row.providerId,
    providerName: row.providerName,
    status: row.status,
    scopes: [...row.scopes],
    metadata: row.metadata ?? null,
    connectedAt: iso(row.connectedAt),
    lastSyncAt: iso(row.lastSyncAt),
    tokenExpiresAt: iso(row.tokenExpiresAt),
    errorMessage: row.errorMessage ?? null,
    needsReauthorization: row.needsReauthorization,
    version: row.version,
  };
}

export function toWebhookEventSnapshot(row: WebhookEventEntity): WebhookEventSnapshot {
  return {
    id: row.id,
    organizationId: row.organizationId,
    integrationId: row.integrationId,
    provider: row.provider,
    eventType: row.eventType,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    errorMessage: row.errorMessage ?? null,
    processedAt: iso(row.processedAt),
    createdAt: iso(row.createdAt) ?? new Date(0).toISOString(),
    version: row.version,
  };
}
