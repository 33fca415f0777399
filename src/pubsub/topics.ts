/**
 * A snapshot of one row at one version (the row's `version` column: 1 on insert, one more on
 * every update). Snapshots of a row can arrive out of order — instances publish on connections of
 * their own, and a worker may publish PROCESSING before ingest's PENDING for the same row goes
 * out — so whoever shows them keeps the highest version and ignores older ones (see
 * LatestVersions). Topics of other rows that need ordering extend this.
 */
export interface VersionedSnapshot {
  id: string;
  version: number;
}

/**
 * What travels on pub/sub. Messages are snapshots of a row's public fields (never a token
 * column), so a subscriber on any instance can answer without a database round trip.
 * Dates are ISO-8601 strings because the messages cross Redis as JSON.
 */
export interface IntegrationSnapshot extends VersionedSnapshot {
  organizationId: string;
  providerId: string;
  providerName: string;
  status: 'connected' | 'disconnected' | 'error';
  scopes: string[];
  metadata: Record<string, unknown> | null;
  connectedAt: string | null;
  lastSyncAt: string | null;
  tokenExpiresAt: string | null;
  errorMessage: string | null;
  needsReauthorization: boolean;
}

export interface WebhookEventSnapshot extends VersionedSnapshot {
  organizationId: string;
  integrationId: string;
  provider: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  attempts: number;
  errorMessage: string | null;
  processedAt: string | null;
  createdAt: string;
}

export type ProviderSubscriptionStatusValue = 'pending' | 'active' | 'failed' | 'expired' | 'stopped';

/** A provider subscription's public fields (src/subscriptions): never its secrets or protocol state. */
export interface ProviderSubscriptionSnapshot extends VersionedSnapshot {
  id: string;
  organizationId: string;
  integrationId: string;
  provider: string;
  resource: string;
  status: ProviderSubscriptionStatusValue;
  externalId: string | null;
  expiresAt: string | null;
  renewAt: string | null;
  lastNotificationAt: string | null;
  lastError: string | null;
  missedNotifications: number;
  lastMissedAt: string | null;
  createdAt: string;
}

/**
 * A change of what an organization can read that no other topic announces (a refreshed token's
 * expiry, a sync time): nobody subscribes to it; read caches forget the organization's answers.
 */
export interface OrganizationDataChange {
  organizationId: string;
}

/** Topic name → message type. Every topic is partitioned by organization. */
export interface Topics {
  integrationStatusChanged: IntegrationSnapshot;
  webhookEventUpdated: WebhookEventSnapshot;
  providerSubscriptionChanged: ProviderSubscriptionSnapshot;
  organizationDataChanged: OrganizationDataChange;
}

/**
 * Told of every message on every topic, whoever published it: the way a cache learns that an
 * organization's data changed (every write publishes after it commits).
 */
export interface OrganizationWatcher {
  /** A message about `organizationId` was published (after the change it announces was committed). */
  changed(organizationId: string): void;
  /** Messages may have been missed (the connection to Redis dropped): forget everything. */
  gap(): void;
}

export interface OrganizationWatch {
  /** Messages are arriving: false from a connection loss until the watch is subscribed again. */
  live(): boolean;
  stop(): void;
}

export type TopicName = keyof Topics;

/**
 * Organization-partitioned publish/subscribe. Implementations: in-process (no REDIS_URL)
 * and Redis (every instance sees every other instance's messages).
 */
export interface PubSub {
  publish<T extends TopicName>(topic: T, message: Topics[T]): Promise<void>;
  /** Messages of one organization on one topic, until `signal` aborts or the iterator returns. */
  subscribe<T extends TopicName>(topic: T, organizationId: string, signal?: AbortSignal): AsyncIterableIterator<Topics[T]>;
  /** Every organization's messages on every topic, as organization ids (see {@link OrganizationWatcher}). */
  watchOrganizations(watcher: OrganizationWatcher): OrganizationWatch;
  close(): Promise<void>;
}
