import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { ConnectionServices } from '../../connections/connection-services.js';
import { AppError, ErrorCode } from '../../errors/app-error.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { CompleteConnectionInput } from '../types/complete-connection-input.js';
import { ConnectionAuthorization } from '../types/connection-authorization.js';
import { Integration, toIntegration } from '../types/integration.js';
import { IntegrationHealth } from '../types/integration-health.js';
import { StartConnectionInput } from '../types/start-connection-input.js';

const connectionServices = (context: GraphQLContext): ConnectionServices => {
  const services = context.services.connections;
  if (!services) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'connections are not available on this instance');
  return services;
};

/** The connect / disconnect / test mutations: one service call each, plus mapping. */
@Resolver()
export class ConnectionResolver {
  @Mutation(() => ConnectionAuthorization, {
    description: 'Begins the OAuth 2.0 authorization code flow with PKCE (S256); the verifier never leaves the server.',
  })
  async startConnection(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => StartConnectionInput) input: StartConnectionInput,
  ): Promise<ConnectionAuthorization> {
    const principal = requirePrincipal(context);
    const authorization = await connectionServices(context).connections.startConnection(principal, input);
    return Object.assign(new ConnectionAuthorization(), authorization);
  }

  @Mutation(() => Integration, {
    description: "Finishes the flow from the provider's callback: validates state, exchanges the code, stores encrypted tokens.",
  })
  async completeConnection(
    @Ctx() context: GraphQLContext,
    @Arg('input', () => CompleteConnectionInput) input: CompleteConnectionInput,
  ): Promise<Integration> {
    const principal = requirePrincipal(context);
    return toIntegration(await connectionServices(context).connections.completeConnection(principal, input));
  }

  @Mutation(() => Integration, {
    description: 'Revokes the tokens at the provider where it supports revocation, wipes them, and marks the integration DISCONNECTED.',
  })
  async disconnectIntegration(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Integration> {
    const principal = requirePrincipal(context);
    return toIntegration(await connectionServices(context).disconnects.disconnectIntegration(principal, id));
  }

  @Mutation(() => IntegrationHealth, {
    description: 'Calls the provider with the stored credentials (refreshing them if needed) and records the result.',
  })
  async testIntegration(@Ctx() context: GraphQLContext, @Arg('id', () => ID) id: string): Promise<IntegrationHealth> {
    const principal = requirePrincipal(context);
    const health = await connectionServices(context).tests.testIntegration(principal, id);
    return Object.assign(new IntegrationHealth(), { ...health, integration: toIntegration(health.integration) });
  }
}
