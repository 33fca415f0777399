import type { PubSub } from '../../pubsub/topics.js';
import type { SqlExecutor } from '../database.js';
import type { IntegrationStatusValue } from '../entities/index.js';
import { toIntegrationSnapshot } from '../snapshots.js';
import { INTEGRATION_ROW_COLUMNS, toIntegrationRow, type IntegrationRecord, type IntegrationRow } from './integration-row.js';
import { dateParser } from './sql-values.js';

/** What `integrationStatusChanged` announces about an integration. */
export interface IntegrationStatus {
  status: IntegrationStatusValue;
  errorMessage: string | null;
  /** Left as the row has it when absent. */
  needsReauthorization?: boolean;
}

export interface IntegrationStatusWriteOptions {
  /** Only within this organization (a caller's request); system work (the worker, token refresh) omits it. */
  organizationId?: string;
  /** Leave a DISCONNECTED integration as it is: only connecting again revives it. @default false */
  unlessDisconnected?: boolean;
  /** The provider no longer honours the tokens: wipe them with the status. @default false */
  wipeTokens?: boolean;
  /** A provider call just succeeded with the stored credentials: record `lastSyncAt` too. @default false */
  synced?: boolean;
}

/** A status write that changed the row. */
export interface IntegrationStatusWrite {
  integration: IntegrationRow;
  /** Status, message or reauthorization flag changed (else only `lastSyncAt` or the tokens did). */
  statusChanged: boolean;
}

/**
 * The one way an integration's status is set after it was connected (a dead refresh token, a
 * connection test, a provider's webhook), so that one change makes one message: the UPDATE is
 * conditional on the row saying something else, under the row's lock, and what it returns says
 * what to announce. Two paths observing the same failure (the token manager marks the row ERROR,
 * then `testIntegration` records the same verdict) change it once and announce it once.
 */
export class IntegrationStatusStore {
  /** Sets the status; null when the row already said exactly this (or is not there, or is DISCONNECTED with `unlessDisconnected`). */
  async set(em: SqlExecutor, integrationId: string, next: IntegrationStatus, options: IntegrationStatusWriteOptions = {}): Promise<IntegrationStatusWrite | null> {
    const differs = [
      '(old.status, old.error_message, old.needs_reauthorization) is distinct from (?::text, ?::text, coalesce(?::boolean, old.needs_reauthorization))',
      ...(options.synced ? ['true'] : []),
      ...(options.wipeTokens ? ['old.access_token is not null', 'old.refresh_token is not null'] : []),
    ].join(' or ');
    const [record] = await em.execute<(IntegrationRecord & { status_changed: boolean })[]>(
      `update integrations i
          set status = ?, error_message = ?, needs_reauthorization = coalesce(?::boolean, old.needs_reauthorization), updated_at = now()
              ${options.synced ? ', last_sync_at = now()' : ''}
              ${options.wipeTokens ? ', access_token = null, refresh_token = null, token_key_id = null, token_expires_at = null' : ''}
         from (select id, status, error_message, needs_reauthorization, access_token, refresh_token
                 from integrations where id = ? and (?::uuid is null or organization_id = ?::uuid) for update) old
        where i.id = old.id
          ${options.unlessDisconnected ? "and old.status <> 'disconnected'" : ''}
          and (${differs})
        returning ${INTEGRATION_ROW_COLUMNS},
                  (old.status, old.error_message, old.needs_reauthorization) is distinct from (i.status, i.error_message, i.needs_reauthorization) as status_changed`,
      [
        next.status,
        next.errorMessage,
        next.needsReauthorization ?? null,
        integrationId,
        options.organizationId ?? null,
        options.organizationId ?? null,
        next.status,
        next.errorMessage,
        next.needsReauthorization ?? null,
      ],
    );
    if (!record) return null;
    return { integration: toIntegrationRow(record, dateParser(em)), statusChanged: record.status_changed };
  }
}

/**
 * Announces a committed write: `integrationStatusChanged` when the status changed, else
 * `organizationDataChanged` (a new sync time or wiped tokens: only read caches need to know);
 * nothing for no write.
 */
export async function announceIntegrationWrite(pubsub: Pick<PubSub, 'publish'>, write: IntegrationStatusWrite | null): Promise<void> {
  if (!write) return;
  if (write.statusChanged) await pubsub.publish('integrationStatusChanged', toIntegrationSnapshot(write.integration));
  else await pubsub.publish('organizationDataChanged', { organizationId: write.integration.organizationId });
}
