import type { ProxyConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { TokenCipher } from '../crypto/token-sealing.js';
import type { OAuthFetch } from '../providers/oauth/oauth-fetch.js';
import { createResilientOAuthFetch } from '../providers/oauth/resilient-oauth-fetch.js';
import type { ProvidersConfig } from '../providers/resolve-provider.js';
import type { PubSub } from '../pubsub/topics.js';
import type { ConnectionLifecycle } from './connection-lifecycle.js';
import type { IntegrationRowCache } from './integration-row-cache.js';

/** The slice of the application config the connection services read. */
export interface ConnectionsConfig extends ProvidersConfig {
  /** Exact redirect URIs `startConnection` accepts. */
  allowedRedirectUris: readonly string[];
  /** The provider proxy's limits. @default DEFAULT_PROXY_CONFIG */
  proxy?: ProxyConfig | undefined;
}

/** The slice of a pino logger these services use. Never pass a token or secret to it. */
export interface ConnectionsLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/** What every connection service is built from (plain constructor parameters, no container). */
export interface ConnectionDependencies {
  database: Database;
  cipher: TokenCipher;
  pubsub: Pick<PubSub, 'publish'>;
  config: ConnectionsConfig;
  /**
   * How to reach a provider's OAuth endpoints (token, revocation), per provider.
   * @default `createResilientOAuthFetch(providerId)` (the process's breakers)
   */
  oauthFetch?: (providerId: string) => OAuthFetch;
  logger?: ConnectionsLogger;
  /** Provider subscriptions made on connect and stopped before revocation on disconnect. @default none */
  lifecycle?: ConnectionLifecycle;
  /**
   * The integration rows the token manager reads under an organization (every proxied call),
   * kept while pub/sub announces every change; the services forget the rows they change.
   * @default none: every read goes to the database
   */
  integrationRows?: IntegrationRowCache;
}

export const silentConnectionsLogger: ConnectionsLogger = { info: () => undefined, warn: () => undefined };

/** Each provider's breaker-guarded fetch from the process's breaker registry. */
export const defaultOAuthFetch = (providerId: string): OAuthFetch => createResilientOAuthFetch(providerId);
