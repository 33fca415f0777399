import type { IntegrationStatusValue } from '../entities/index.js';

/**
 * An integration as the read side sees it: a plain object of the public columns, never the
 * sealed token columns (they are not selected, so they cannot be mapped by mistake). Reads that
 * only show rows do not need MikroORM's identity map or change tracking: hydrating entities
 * and flushing them at commit cost more than the SQL itself.
 */
export interface IntegrationRow {
  id: string;
  organizationId: string;
  providerId: string;
  providerName: string;
  status: IntegrationStatusValue;
  scopes: string[];
  metadata: Record<string, unknown> | null;
  connectedAt: Date | null;
  lastSyncAt: Date | null;
  tokenExpiresAt: Date | null;
  errorMessage: string | null;
  needsReauthorization: boolean;
  version: number;
}

/** The select list behind IntegrationRow (table alias `i`). */
export const INTEGRATION_ROW_COLUMNS = `i.id, i.organization_id, i.provider_id, i.provider_name, i.status, i.scopes, i.metadata,
  i.connected_at, i.last_sync_at, i.token_expires_at, i.error_message, i.needs_reauthorization, i.version`;

/**
 * The driver's record for INTEGRATION_ROW_COLUMNS. pg parses text[], jsonb and boolean; MikroORM's
 * driver leaves timestamptz as PostgreSQL's text, which the mapping parses (`Platform.parseDate`).
 */
export interface IntegrationRecord {
  id: string;
  organization_id: string;
  provider_id: string;
  provider_name: string;
  status: IntegrationStatusValue;
  scopes: string[];
  metadata: Record<string, unknown> | null;
  connected_at: string | null;
  last_sync_at: string | null;
  token_expires_at: string | null;
  error_message: string | null;
  needs_reauthorization: boolean;
  version: number;
}

export const toIntegrationRow = (record: IntegrationRecord, parseDate: (value: string) => Date): IntegrationRow => ({
  id: record.id,
  organizationId: record.organization_id,
  providerId: record.provider_id,
  providerName: record.provider_name,
  status: record.status,
  scopes: record.scopes,
  metadata: record.metadata,
  connectedAt: record.connected_at === null ? null : parseDate(record.connected_at),
  lastSyncAt: record.last_sync_at === null ? null : parseDate(record.last_sync_at),
  tokenExpiresAt: record.token_expires_at === null ? null : parseDate(record.token_expires_at),
  errorMessage: record.error_message,
  needsReauthorization: record.needs_reauthorization,
  version: record.version,
});
