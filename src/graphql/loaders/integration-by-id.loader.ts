import DataLoader from 'dataloader';
import type { IntegrationRow } from '../../db/repositories/integration-row.js';
import type { GraphQLServices } from '../services.js';
import type { OrganizationScope } from './organization-scope.js';

/** Integrations by id, one statement per batch; another organization's id (or garbage) gives null. */
export function createIntegrationByIdLoader(services: GraphQLServices, scope: OrganizationScope) {
  return new DataLoader<string, IntegrationRow | null>(async (ids) => {
    const rows = await scope((em, organizationId) => services.integrations.findByIds(em, organizationId, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}
