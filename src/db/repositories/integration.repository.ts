import type { SqlExecutor } from '../database.js';
import type { IntegrationStatusValue } from '../entities/index.js';
import { isUuid } from '../organization-id.js';
import { INTEGRATION_ROW_COLUMNS, toIntegrationRow, type IntegrationRecord, type IntegrationRow } from './integration-row.js';
import { dateParser, uuidArray } from './sql-values.js';

/**
 * Reads of integration rows, as plain IntegrationRow objects. Every method takes the
 * organization explicitly as well as running under row-level security: the filter states
 * intent, RLS is the safety net. The select list names the public columns only, so no read
 * here ever fetches a token column.
 */
export class IntegrationRepository {
  async list(em: SqlExecutor, organizationId: string, status?: IntegrationStatusValue): Promise<IntegrationRow[]> {
    const records = await em.execute<IntegrationRecord[]>(
      `select ${INTEGRATION_ROW_COLUMNS} from integrations i
        where i.organization_id = ? and (?::text is null or i.status = ?)
        order by i.provider_name asc, i.id asc`,
      [organizationId, status ?? null, status ?? null],
    );
    const parseDate = dateParser(em);
    return records.map((record) => toIntegrationRow(record, parseDate));
  }

  async findById(em: SqlExecutor, organizationId: string, id: string): Promise<IntegrationRow | null> {
    const [row] = await this.findByIds(em, organizationId, [id]);
    return row ?? null;
  }

  /** One statement for any number of ids; ids that are not UUIDs simply match nothing. */
  async findByIds(em: SqlExecutor, organizationId: string, ids: readonly string[]): Promise<IntegrationRow[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const records = await em.execute<IntegrationRecord[]>(
      `select ${INTEGRATION_ROW_COLUMNS} from integrations i where i.organization_id = ? and i.id = any(?::uuid[])`,
      [organizationId, uuidArray(valid)],
    );
    const parseDate = dateParser(em);
    return records.map((record) => toIntegrationRow(record, parseDate));
  }

  /** Integrations of several organizations at once (federated `Organization.integrations`). */
  async listForOrganizations(em: SqlExecutor, organizationIds: readonly string[]): Promise<IntegrationRow[]> {
    const valid = [...new Set(organizationIds.filter(isUuid))];
    if (valid.length === 0) return [];
    const records = await em.execute<IntegrationRecord[]>(
      `select ${INTEGRATION_ROW_COLUMNS} from integrations i where i.organization_id = any(?::uuid[])
        order by i.provider_name asc, i.id asc`,
      [uuidArray(valid)],
    );
    const parseDate = dateParser(em);
    return records.map((record) => toIntegrationRow(record, parseDate));
  }
}
