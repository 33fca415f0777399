import type { ProviderId } from '../providers/provider-ids.js';
import type { ConnectionDependencies } from './connection-dependencies.js';
import { ConnectionService } from './connection-service.js';
import { DisconnectService } from './disconnect-service.js';
import { IntegrationTestService, type ConnectionTester } from './integration-test-service.js';
import { TokenManager, type TokenManagerOptions } from './token-manager.js';

/** The connection package as the composition root hands it to GraphQL and HTTP. */
export interface ConnectionServices {
  connections: ConnectionService;
  disconnects: DisconnectService;
  tests: IntegrationTestService;
  /** `withAccessToken(integrationId, fn)`: the library API for every provider call. */
  tokens: TokenManager;
}

export interface ConnectionServicesOptions {
  /** Each provider client's `testConnection`. */
  testers: Readonly<Partial<Record<ProviderId, ConnectionTester>>>;
  tokenManager?: TokenManagerOptions;
  /** A token manager made beforehand (the composition root hands it to provider subscriptions too). @default a new one over `deps` */
  tokens?: TokenManager;
}

export function createConnectionServices(deps: ConnectionDependencies, options: ConnectionServicesOptions): ConnectionServices {
  const tokens = options.tokens ?? new TokenManager(deps, options.tokenManager);
  return {
    connections: new ConnectionService(deps),
    disconnects: new DisconnectService(deps),
    tests: new IntegrationTestService(deps, tokens, options.testers),
    tokens,
  };
}
