import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../errors/app-error.js';
import type { GraphQLServices } from '../services.js';

/** Runs a batch in one transaction under the caller's organization (row-level security). */
export type OrganizationScope = <T>(work: (em: EntityManager, organizationId: string) => Promise<T>) => Promise<T>;

export function organizationScope(services: GraphQLServices, organizationId: string | null): OrganizationScope {
  return (work) => {
    if (organizationId === null) return Promise.reject(new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required'));
    return services.database.withOrganization(organizationId, (em) => work(em, organizationId));
  };
}
