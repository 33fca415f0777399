import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { getProviderHealth } from '../../resilience/provider-breakers.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import type { ProviderCatalogEntry } from '../services.js';
import { CircuitState } from '../types/circuit-state.js';
import { Provider } from '../types/provider.js';
import { ProviderHealth } from '../types/provider-health.js';

export const toProvider = (entry: ProviderCatalogEntry): Provider => ({
  id: entry.id,
  name: entry.name,
  docs: entry.docs,
  configured: entry.configured,
  scopes: entry.scopes.map((scope) => ({ name: scope.name, description: scope.description })),
  defaultScopes: [...entry.defaultScopes],
  connectionParams: entry.connectionParams.map((param) => param.name),
  connectionParamDetails: entry.connectionParams.map((param) => ({
    name: param.name,
    description: param.description,
    pattern: param.pattern,
    example: param.example ?? null,
  })),
  subscribableResources: [...entry.subscribableResources],
  defaultSubscriptions: [...entry.defaultSubscriptions],
});

/** How an integration whose provider this deployment no longer knows shows its provider. */
export const unknownProvider = (id: string, name: string): ProviderCatalogEntry => ({
  id,
  name,
  docs: '',
  configured: false,
  scopes: [],
  defaultScopes: [],
  connectionParams: [],
  subscribableResources: [],
  defaultSubscriptions: [],
});

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => [Provider])
  providers(@Ctx() context: GraphQLContext): Provider[] {
    requirePrincipal(context);
    return context.services.providers.map(toProvider);
  }

  @FieldResolver(() => ProviderHealth)
  health(@Root() provider: Provider, @Ctx() context: GraphQLContext): ProviderHealth {
    // Per instance: each replica's breakers see only the calls that replica made.
    const state = (context.services.providerHealth ?? getProviderHealth)(provider.id);
    return {
      circuitState: CircuitState[state.circuitState],
      consecutiveFailures: state.consecutiveFailures,
      lastFailureAt: state.lastFailureAt,
      lastError: state.lastError,
    };
  }
}
