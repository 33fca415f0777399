import DataLoader from 'dataloader';
import type { ProviderSubscriptionRow } from '../../db/repositories/provider-subscription-row.js';
import type { GraphQLServices } from '../services.js';
import type { OrganizationScope } from './organization-scope.js';

/** `Integration.providerSubscriptions` for every integration of a response: one statement per batch. */
export function createProviderSubscriptionsByIntegrationLoader(services: GraphQLServices, scope: OrganizationScope) {
  return new DataLoader<string, ProviderSubscriptionRow[]>(async (integrationIds) => {
    const rows = await scope((em, organizationId) => services.providerSubscriptions.listForIntegrations(em, organizationId, integrationIds));
    const byIntegration = new Map<string, ProviderSubscriptionRow[]>();
    for (const row of rows) byIntegration.set(row.integrationId, [...(byIntegration.get(row.integrationId) ?? []), row]);
    return integrationIds.map((id) => byIntegration.get(id.toLowerCase()) ?? []);
  });
}

/** Provider subscriptions by id (federation `_entities`); another organization's id gives null. */
export function createProviderSubscriptionByIdLoader(services: GraphQLServices, scope: OrganizationScope) {
  return new DataLoader<string, ProviderSubscriptionRow | null>(async (ids) => {
    const rows = await scope((em, organizationId) => services.providerSubscriptions.findByIds(em, organizationId, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}
