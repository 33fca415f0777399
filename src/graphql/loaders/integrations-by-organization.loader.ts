import DataLoader from 'dataloader';
import type { IntegrationRow } from '../../db/repositories/integration-row.js';
import type { GraphQLServices } from '../services.js';
import type { OrganizationScope } from './organization-scope.js';

/**
 * `Organization.integrations` for federated Organization representations. Only the caller's
 * organization has visible integrations; any other id gets an empty list, not an error, so
 * the answer says nothing about whether that organization exists.
 */
export function createIntegrationsByOrganizationLoader(
  services: GraphQLServices,
  scope: OrganizationScope,
  callerOrganizationId: string | null,
) {
  return new DataLoader<string, IntegrationRow[]>(async (organizationIds) => {
    const caller = callerOrganizationId?.toLowerCase();
    const rows = organizationIds.some((id) => id.toLowerCase() === caller)
      ? await scope((em, organizationId) => services.integrations.list(em, organizationId))
      : [];
    return organizationIds.map((id) => (id.toLowerCase() === caller ? rows : []));
  });
}
