import type { Principal } from '../auth/principal.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { OrganizationReads } from './organization-reads.js';
import type { GraphQLServices } from './services.js';

export interface GraphQLContext {
  /** Null when the request carried no (valid) credentials; resolvers that need one refuse. */
  principal: Principal | null;
  requestId: string;
  services: GraphQLServices;
  /** Every database read of the operation goes through this: the caller's organization, under RLS. */
  reads: OrganizationReads;
  /** Per operation: batching and caching must never span two operations or two callers. */
  loaders: Loaders;
}

/** What the transport (HTTP or graphql-ws) knows once it has authenticated the caller. */
export interface ContextInput {
  principal: Principal | null;
  requestId: string;
}

/**
 * Builds one context per operation. Call it per HTTP request and per graphql-ws `subscribe`
 * message (graphql-ws `context` option), never once per socket: loaders cache rows.
 */
export function createContextFactory(services: GraphQLServices): (input: ContextInput) => GraphQLContext {
  return ({ principal, requestId }) => {
    const reads = new OrganizationReads(services.database, principal?.organizationId ?? null);
    return { principal, requestId, services, reads, loaders: createLoaders(services, reads) };
  };
}

/** The caller, or UNAUTHENTICATED. */
export function requirePrincipal(context: GraphQLContext): Principal {
  if (!context.principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required');
  return context.principal;
}
