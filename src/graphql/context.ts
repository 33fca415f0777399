import type { Principal } from '../auth/principal.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { GraphQLServices } from './services.js';

export interface GraphQLContext {
  /** Null when the request carried no (valid) credentials; resolvers that need one refuse. */
  principal: Principal | null;
  requestId: string;
  services: GraphQLServices;
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
  return ({ principal, requestId }) => ({
    principal,
    requestId,
    services,
    loaders: createLoaders(services, principal?.organizationId ?? null),
  });
}

/** The caller, or UNAUTHENTICATED. */
export function requirePrincipal(context: GraphQLContext): Principal {
  if (!context.principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'authentication required');
  return context.principal;
}
