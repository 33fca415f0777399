import type { SqlExecutor } from '../database.js';
import { isUuid } from '../organization-id.js';
import { toProviderSubscriptionRow, type ProviderSubscriptionRow } from './provider-subscription-row.js';
import { uuidArray } from './sql-values.js';

/**
 * Reads of provider subscriptions for GraphQL. Every method takes the organization explicitly as
 * well as running under row-level security, like the other read repositories.
 */
export class ProviderSubscriptionRepository {
  /** The subscriptions of several integrations at once, oldest first (`Integration.providerSubscriptions` for a list). */
  async listForIntegrations(em: SqlExecutor, organizationId: string, integrationIds: readonly string[]): Promise<ProviderSubscriptionRow[]> {
    const valid = [...new Set(integrationIds.filter(isUuid).map((id) => id.toLowerCase()))];
    if (valid.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from provider_subscriptions where organization_id = ? and integration_id = any(?::uuid[]) order by created_at, id`,
      [organizationId, uuidArray(valid)],
    );
    return rows.map(toProviderSubscriptionRow);
  }

  /** One statement for any number of ids; ids that are not UUIDs match nothing. */
  async findByIds(em: SqlExecutor, organizationId: string, ids: readonly string[]): Promise<ProviderSubscriptionRow[]> {
    const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    if (valid.length === 0) return [];
    const rows = await em.execute<Record<string, unknown>[]>(`select * from provider_subscriptions where organization_id = ? and id = any(?::uuid[])`, [
      organizationId,
      uuidArray(valid),
    ]);
    return rows.map(toProviderSubscriptionRow);
  }
}
