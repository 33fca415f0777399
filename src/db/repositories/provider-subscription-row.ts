import type { ProviderSubscriptionSnapshot, ProviderSubscriptionStatusValue } from '../../pubsub/topics.js';

/** What the scheduler does next with a subscription when its `renewAt` comes. */
export type SubscriptionAction = 'create' | 'renew' | 'reauthorize' | 'check' | 'stop';

/** Protocol data kept with a subscription (Google's resourceId, Drive's page token, the Asana hook...): never a secret. */
export type ProtocolState = Record<string, unknown>;

/** A `provider_subscriptions` row. */
export interface ProviderSubscriptionRow {
  id: string;
  organizationId: string;
  integrationId: string;
  provider: string;
  resource: string;
  status: ProviderSubscriptionStatusValue;
  externalId: string | null;
  expiresAt: Date | null;
  /** When `nextAction` is due; null once there is nothing left to do (stopped). */
  renewAt: Date | null;
  nextAction: SubscriptionAction | null;
  /** Failed attempts in a row. */
  attempts: number;
  failingSince: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  lastNotificationAt: Date | null;
  missedNotifications: number;
  lastMissedAt: Date | null;
  state: ProtocolState;
  createdAt: Date;
  updatedAt: Date;
  /** Grows with every UPDATE (a trigger): see VersionedSnapshot. */
  version: number;
}

const date = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
const nullableDate = (value: unknown): Date | null => (value === null || value === undefined ? null : date(value));

/** A row as `returning *` (snake_case, timestamptz as text) gives it. */
export function toProviderSubscriptionRow(row: Record<string, unknown>): ProviderSubscriptionRow {
  return {
    id: row.id as string,
    organizationId: row.organization_id as string,
    integrationId: row.integration_id as string,
    provider: row.provider as string,
    resource: row.resource as string,
    status: row.status as ProviderSubscriptionStatusValue,
    externalId: (row.external_id as string | null) ?? null,
    expiresAt: nullableDate(row.expires_at),
    renewAt: nullableDate(row.renew_at),
    nextAction: (row.next_action as SubscriptionAction | null) ?? null,
    attempts: Number(row.attempts),
    failingSince: nullableDate(row.failing_since),
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseExpiresAt: nullableDate(row.lease_expires_at),
    lastError: (row.last_error as string | null) ?? null,
    lastNotificationAt: nullableDate(row.last_notification_at),
    missedNotifications: Number(row.missed_notifications ?? 0),
    lastMissedAt: nullableDate(row.last_missed_at),
    state: (typeof row.state === 'string' ? JSON.parse(row.state) : (row.state ?? {})) as ProtocolState,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    version: Number(row.version),
  };
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** The public fields, for pub/sub and GraphQL: no protocol state, no lease. */
export function toProviderSubscriptionSnapshot(row: ProviderSubscriptionRow): ProviderSubscriptionSnapshot {
  return {
    id: row.id,
    version: row.version,
    organizationId: row.organizationId,
    integrationId: row.integrationId,
    provider: row.provider,
    resource: row.resource,
    status: row.status,
    externalId: row.externalId,
    expiresAt: iso(row.expiresAt),
    renewAt: iso(row.renewAt),
    lastNotificationAt: iso(row.lastNotificationAt),
    lastError: row.lastError,
    missedNotifications: row.missedNotifications,
    lastMissedAt: iso(row.lastMissedAt),
    createdAt: row.createdAt.toISOString(),
  };
}
