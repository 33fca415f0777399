import { ProviderProxy, type ProviderProxyDependencies, type ProxyCall, type ProxyRelay } from '../proxy/provider-proxy.js';
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
  /** `proxy(integrationId, request)`: a request to the integration's provider API, answered with its `Response`. */
  proxy: ProxyCall;
  /** `relay(integrationId, request)`: the same on Node streams, for the `/proxy` route. */
  relay: ProxyRelay;
}

export interface ConnectionServicesOptions {
  /** Each provider client's `testConnection`, by provider id; a provider without one has no connection test. */
  testers: Readonly<Partial<Record<string, ConnectionTester>>>;
  tokenManager?: TokenManagerOptions;
  /** The proxy's logger and breakers (its limits are `config.proxy`). @default silent, the process's breakers */
  proxy?: Pick<ProviderProxyDependencies, 'logger' | 'breakers'>;
  /** A token manager made beforehand (the composition root hands it to provider subscriptions too). @default a new one over `deps` */
  tokens?: TokenManager;
}

export function createConnectionServices(deps: ConnectionDependencies, options: ConnectionServicesOptions): ConnectionServices {
  const tokens = options.tokens ?? new TokenManager(deps, options.tokenManager);
  const proxy = new ProviderProxy({ tokens, config: deps.config, ...options.proxy });
  return {
    connections: new ConnectionService(deps),
    disconnects: new DisconnectService(deps),
    tests: new IntegrationTestService(deps, tokens, options.testers),
    tokens,
    proxy: proxy.proxy,
    relay: proxy.relay,
  };
}
