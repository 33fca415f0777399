import type { WebhookEventStatusValue } from '../entities/index.js';

/**
 * A webhook event as the read side sees it: a plain object of the columns GraphQL shows (and the
 * ids it is keyed by). See IntegrationRow for why reads skip entity hydration.
 */
export interface WebhookEventRow {
  id: string;
  organizationId: string;
  integrationId: string;
  provider: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: WebhookEventStatusValue;
  attempts: number;
  errorMessage: string | null;
  processedAt: Date | null;
  createdAt: Date;
  version: number;
}

/** The select list behind WebhookEventRow, for a `webhook_events` row aliased `alias`. */
export const webhookEventRowColumns = (alias: string): string =>
  ['id', 'organization_id', 'integration_id', 'provider', 'event_type', 'payload', 'status', 'attempts', 'error_message', 'processed_at', 'created_at', 'version']
    .map((column) => `${alias}.${column}`)
    .join(', ');

/**
 * The driver's record for webhookEventRowColumns. pg parses jsonb and integer; MikroORM's driver
 * leaves timestamptz as PostgreSQL's text, which the mapping parses (`Platform.parseDate`).
 */
export interface WebhookEventRecord {
  id: string;
  organization_id: string;
  integration_id: string;
  provider: string;
  event_type: string;
  payload: Record<string, unknown>;
  status: WebhookEventStatusValue;
  attempts: number;
  error_message: string | null;
  processed_at: string | null;
  created_at: string;
  version: number;
}

export const toWebhookEventRow = (record: WebhookEventRecord, parseDate: (value: string) => Date): WebhookEventRow => ({
  id: record.id,
  organizationId: record.organization_id,
  integrationId: record.integration_id,
  provider: record.provider,
  eventType: record.event_type,
  payload: record.payload,
  status: record.status,
  attempts: record.attempts,
  errorMessage: record.error_message,
  processedAt: record.processed_at === null ? null : parseDate(record.processed_at),
  createdAt: parseDate(record.created_at),
  version: record.version,
});
