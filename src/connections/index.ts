export type { ConnectionDependencies, ConnectionsConfig, ConnectionsLogger } from './connection-dependencies.js';
export {
  ConnectionService,
  type StartConnectionInput,
  type CompleteConnectionInput,
  type ConnectionAuthorization,
} from './connection-service.js';
export { DisconnectService } from './disconnect-service.js';
export { IntegrationTestService, type ConnectionTester, type IntegrationHealthResult } from './integration-test-service.js';
export { TokenManager, type TokenManagerOptions, type IntegrationCallContext, type AccessTokenOptions } from './token-manager.js';
export { OAuthStateStore, OAUTH_STATE_TTL_MS, hashState } from './oauth-state-store.js';
export { createConnectionServices, type ConnectionServices, type ConnectionServicesOptions } from './connection-services.js';
export { createOAuthCallbackHandler, type OAuthCallbackOptions } from './oauth-callback.js';
