import type { EntityManager } from '@mikro-orm/postgresql';
import { IntegrationEntity, type IntegrationStatusValue } from '../entities/index.js';
import { isUuid } from '../organization-id.js';

/**
 * Reads of integration rows. Every method takes the organization explicitly as well as
 * running under row-level security: the filter states intent, RLS is the safety net.
 * Token columns are lazy on the entity, so none of these reads load them.
 */
export class IntegrationRepository {
  list(em: EntityManager, organizationId: string, status?: IntegrationStatusValue): Promise<IntegrationEntity[]> {
    return em.find(
      IntegrationEntity,
      { organizationId, ...(status ? { status } : {}) },
      { orderBy: { providerName: 'asc', id: 'asc' } },
    );
  }

  async findById(em: EntityManager, organizationId: string, id: string): Promise<IntegrationEntity | null> {
    if (!isUuid(id)) return null;
    return em.findOne(IntegrationEntity, { id, organizationId });
  }

  /** One statement for any number of ids; ids that are not UUIDs simply match nothing. */
  async findByIds(em: EntityManager, organizationId: string, ids: readonly string[]): Promise<IntegrationEntity[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    return em.find(IntegrationEntity, { id: { $in: valid }, organizationId });
  }

  /** Integrations of several organizations at once (federated `Organization.integrations`). */
  async listForOrganizations(em: EntityManager, organizationIds: readonly string[]): Promise<IntegrationEntity[]> {
    const valid = [...new Set(organizationIds.filter(isUuid))];
    if (valid.length === 0) return [];
    return em.find(IntegrationEntity, { organizationId: { $in: valid } }, { orderBy: { providerName: 'asc', id: 'asc' } });
  }
}
