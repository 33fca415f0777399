import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { authConfigWarnings } from './auth/auth-config-warnings.js';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { mintDevelopmentToken } from './auth/development-token.js';
import type { Config, SandboxConfig } from './config.js';
import { createConnectionServices } from './connections/connection-services.js';
import { connectionTesters } from './connections/connection-testers.js';
import type { ConnectionDependencies } from './connections/connection-dependencies.js';
import { IntegrationRowCache } from './connections/integration-row-cache.js';
import { TokenManager } from './connections/token-manager.js';
import { createOAuthCallbackHandler } from './connections/oauth-callback.js';
import { createKeyRing } from './crypto/key-ring.js';
import { createTokenCipher } from './crypto/token-sealing.js';
import { createDatabase, type Database, type DatabaseOptions } from './db/database.js';
import { configuredDatabaseOptions } from './db/configured-database-options.js';
import { IntegrationRepository } from './db/repositories/integration.repository.js';
import { ProviderSubscriptionRepository } from './db/repositories/provider-subscription.repository.js';
import { WebhookEventRepository } from './db/repositories/webhook-event.repository.js';
import { createGraphQLServer } from './graphql/apollo-server.js';
import { ResponseCache } from './graphql/response-cache.js';
import type { ResponseCaching } from './graphql/response-cache-plugin.js';
import { createContextFactory } from './graphql/context.js';
import { createErrorFormatter } from './graphql/format-error.js';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './graphql/operation-limits.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import type { GraphQLServices, ProviderCatalogEntry } from './graphql/services.js';
import { createHttpApp, type RouteMount } from './http/create-http-app.js';
import { createLimitedHttpServer } from './http/limited-http-server.js';
import { isLoopbackAddress } from './http/loopback-caller.js';
import { attachGraphQLWebSocket } from './http/graphql-websocket.js';
import { oauthCallbackRouter } from './http/oauth-callback-route.js';
import { createProxyRoute } from './http/proxy-route.js';
import type { ReadinessCheck } from './http/readiness.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { configureModuleDefaults } from './module-defaults.js';
import { listResolvedProviders } from './providers/resolve-provider.js';
import { InMemoryPubSub } from './pubsub/in-memory-pubsub.js';
import { RedisPubSub } from './pubsub/redis-pubsub.js';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox/sandbox.js';
import { SANDBOX_PROVIDER_ID } from './sandbox/sandbox-provider-entry.js';
import type { PubSub } from './pubsub/topics.js';
import { createProviderSubscriptions, type ProviderSubscriptions, type ProviderSubscriptionsOptions } from './subscriptions/provider-subscriptions.js';
import { createWebhookRouter } from './webhooks/http/webhook-router.js';
import { createWebhookEventRetry } from './webhooks/retry-webhook-event.js';
import { configuredPipelineOptions } from './webhooks/pipeline-settings.js';
import type { WebhookHandlerSetup } from './webhooks/handlers/webhook-handler-registry.js';
import { createWebhookPipeline, type WebhookPipeline } from './webhooks/webhook-pipeline.js';

/** What tests and tools may swap or add; production passes none. */
export interface AppOverrides {
  logger?: Logger;
  /** Extra `createDatabase` options (tests count SQL statements with `onQuery`). */
  database?: Pick<DatabaseOptions, 'onQuery' | 'poolSize'>;
  /** @default DEFAULT_OPERATION_LIMITS */
  limits?: OperationLimits;
  /** Routes mounted next to the built-in ones (see `RouteMount`). */
  routes?: readonly RouteMount[];
  /** The built UI. @default '<cwd>/client/dist' */
  clientDir?: string;
  /** @default buildGraphQLSchema() */
  schema?: GraphQLSchema;
  /** Run the webhook queue worker in this process (`npm run worker` runs it alone). @default true */
  webhookWorker?: boolean;
  /** The deployment's own webhook handlers, registered before the worker starts. */
  webhookHandlers?: WebhookHandlerSetup;
  /** Provider subscriptions: a clock tests move, scheduler and pacer settings, extra protocols. */
  subscriptions?: Pick<ProviderSubscriptionsOptions, 'clock' | 'settings' | 'pacer' | 'protocols' | 'requestTimeoutMs' | 'breakers'>;
  /** The sandbox's clock (tests move it with the scheduler's) and its webhook sender's retry waits. */
  sandbox?: Pick<SandboxOptions, 'clock' | 'sender'>;
}

export interface App {
  readonly httpServer: Server;
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly pubsub: PubSub;
  readonly services: GraphQLServices;
  readonly authenticator: Authenticator;
  readonly metrics: ServiceMetrics;
  /** The webhook queue (the seed's `add`, `getStats`) and the handlers its worker runs. */
  readonly webhooks: Pick<WebhookPipeline, 'queue' | 'handlers'>;
  /** Provider subscriptions: the service behind the mutations, and this instance's scheduler. */
  readonly subscriptions: Pick<ProviderSubscriptions, 'service' | 'scheduler'>;
  /**
   * Starts listening (port 0 picks a free one); resolves with the URL. The port defaults to
   * `config.port`; the host to `config.host`, else loopback in development mode (the instance
   * hands out an admin token), else every interface.
   */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish, close idle keep-alive
   * connections and every graphql-ws socket, then close pub/sub (Redis) and the database pool.
   * Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Where a development instance listens unless `HOST` says otherwise. */
const LOOPBACK = '127.0.0.1';

/** The provider catalogue: every registry provider with whether this deployment can connect it. */
export function buildProviderCatalog(config: Config): ProviderCatalogEntry[] {
  return listResolvedProviders(config).map((provider) => ({
    id: provider.id,
    name: provider.name,
    docs: provider.definition.docs,
    configured: provider.configured,
    scopes: provider.scopes,
    defaultScopes: provider.defaultScopes,
    connectionParams: provider.definition.connectionParams,
    subscribableResources: provider.subscribableResources,
    defaultSubscriptions: provider.defaultSubscriptions,
  }));
}

/** A response cache that forgets an organization's answers whenever a pub/sub message announces a change of its data. */
function watchedResponseCache(pubsub: PubSub, config: Config): ResponseCaching {
  const cache = new ResponseCache({ maxBytes: config.responseCache.maxMegabytes * 1024 * 1024, ttlMs: config.responseCache.ttlSeconds * 1000 });
  const watch = pubsub.watchOrganizations({ changed: (organizationId) => cache.invalidate(organizationId), gap: () => cache.clear() });
  return { cache, watch };
}

/** The sandbox provider, its client the one `config.providers.sandbox` holds (made by `loadConfig`). */
function startSandbox(config: Config, { subscriptionMinutes }: SandboxConfig, logger: Logger, overrides: AppOverrides['sandbox']): Promise<Sandbox> {
  const settings = config.providers[SANDBOX_PROVIDER_ID];
  const entry = config.providerRegistry.get(SANDBOX_PROVIDER_ID);
  if (!settings?.clientId || !settings.clientSecret || !entry) throw new Error('the sandbox is enabled but its provider entry or client is missing');
  return createSandbox({
    publicUrl: config.publicUrl,
    client: { clientId: settings.clientId, clientSecret: settings.clientSecret, redirectUris: config.allowedRedirectUris },
    scopes: entry.scopes,
    subscriptionMinutes,
    logger: logger.child({ component: 'sandbox' }),
    ...overrides,
  });
}

/**
 * The composition root: builds every service from the configuration with plain constructor
 * parameters, in dependency order, and knows how to take them down in reverse.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  configureModuleDefaults(config);
  const authenticator = createAuthenticator(config.auth);
  if (config.production) for (const warning of authConfigWarnings(config.auth)) logger.warn({}, warning);
  const metrics = createMetrics();
  const limits = overrides.limits ?? DEFAULT_OPERATION_LIMITS;
  const schema = overrides.schema ?? (await buildGraphQLSchema());

  const database = await createDatabase({
    ...configuredDatabaseOptions(config),
    logger: logger.child({ component: 'database' }),
    ...overrides.database,
  });
  // Everything after the database is undone if start-up fails half-way, so a failed start
  // leaves no pool or Redis connection behind (tests, and supervisors that retry).
  const redisPubSub = config.redisUrl
    ? new RedisPubSub({ url: config.redisUrl, prefix: config.redisPrefix, logger: logger.child({ component: 'pubsub' }) })
    : undefined;
  const pubsub: PubSub = redisPubSub ?? new InMemoryPubSub();
  try {
    const pool = await database.orm.em.getConnection().getNativeClient();
    metrics.observePool(() => ({ totalCount: pool.totalCount, idleCount: pool.idleCount, waitingCount: pool.waitingCount }));

    const readiness: ReadinessCheck[] = [{ name: 'database', check: () => database.ping() }];
    if (redisPubSub) readiness.push({ name: 'redis', check: () => redisPubSub.ping() });

    const cipher = createTokenCipher(createKeyRing(config.encryptionKeys));
    // Watched from here to close(): the proxy reads an integration row per call, kept while pub/sub announces every change.
    const integrationRows = new IntegrationRowCache(pubsub);
    const connectionDependencies: ConnectionDependencies = { database, cipher, pubsub, config, logger: logger.child({ component: 'connections' }), integrationRows };
    const tokens = new TokenManager(connectionDependencies);
    const subscriptions = createProviderSubscriptions({
      database,
      cipher,
      pubsub,
      config,
      withAccessToken: (integrationId, call) => tokens.withAccessToken(integrationId, call),
      logger: logger.child({ component: 'subscriptions' }),
      ...overrides.subscriptions,
    });
    const connections = createConnectionServices(
      { ...connectionDependencies, lifecycle: subscriptions.service.lifecycle },
      { tokens, testers: connectionTesters(config), proxy: { logger: logger.child({ component: 'proxy' }) } },
    );
    const oauthCallback = createOAuthCallbackHandler({
      connections: connections.connections,
      uiUrl: config.uiUrl,
      mode: config.oauthCallbackMode,
      logger: logger.child({ component: 'oauth-callback' }),
    });

    const webhooks = createWebhookPipeline({
      database,
      pubsub,
      ...configuredPipelineOptions(config),
      logger: logger.child({ component: 'webhooks' }),
      handlers: overrides.webhookHandlers,
      subscriptionSignals: subscriptions.service,
    });

    const sandbox = config.sandbox ? await startSandbox(config, config.sandbox, logger, overrides.sandbox) : undefined;

    const services: GraphQLServices = {
      database,
      integrations: new IntegrationRepository(),
      webhookEvents: new WebhookEventRepository(),
      providerSubscriptions: new ProviderSubscriptionRepository(),
      pubsub,
      providers: buildProviderCatalog(config),
      connections,
      retryWebhookEvent: createWebhookEventRetry(database, webhooks.queue),
      subscriptions: subscriptions.service,
    };
    const createContext = createContextFactory(services);

    const httpServer = createLimitedHttpServer(config.http);
    const graphqlWebSocket = attachGraphQLWebSocket({
      httpServer,
      schema,
      authenticator,
      createContext,
      formatError: createErrorFormatter(logger),
      limits,
      logger,
      metrics,
    });
    const graphqlServer = createGraphQLServer({
      schema,
      logger,
      production: config.production,
      httpServer,
      metrics,
      limits,
      ...(config.responseCache.maxMegabytes > 0 && { responseCaching: watchedResponseCache(pubsub, config) }),
    });
    await graphqlServer.start();

    const app = createHttpApp({
      logger,
      metrics,
      readiness,
      graphqlServer,
      authenticator,
      createContext,
      routes: [
        (express) => express.use(oauthCallbackRouter(oauthCallback)),
        (express) => express.use(createWebhookRouter({ ingest: webhooks.ingest })),
        ...(sandbox ? [sandbox.mount] : []),
        ...(overrides.routes ?? []),
      ],
      clientDir: overrides.clientDir ?? path.resolve('client/dist'),
      developmentToken: config.auth.development ? () => mintDevelopmentToken(config.auth) : undefined,
    });
    // The provider proxy runs on node:http ahead of express (proxy-route.ts says why).
    const proxyRoute = createProxyRoute({ authenticator, relay: connections.relay, logger, metrics });
    httpServer.on('request', (request, response) => {
      if (!proxyRoute(request, response)) app(request, response);
    });
    if (overrides.webhookWorker ?? true) await webhooks.startWorker();
    subscriptions.start();

    let url = '';
    let closing: Promise<void> | undefined;
    return {
      httpServer,
      get url() {
        return url;
      },
      config,
      logger,
      database,
      pubsub,
      services,
      authenticator,
      metrics,
      webhooks: { queue: webhooks.queue, handlers: webhooks.handlers },
      subscriptions: { service: subscriptions.service, scheduler: subscriptions.scheduler },
      async listen(port = config.port, host = config.host ?? (config.auth.development ? LOOPBACK : undefined)) {
        await new Promise<void>((resolve, reject) => {
          httpServer.once('error', reject);
          httpServer.listen(port, host, () => {
            httpServer.off('error', reject);
            resolve();
          });
        });
        const address = httpServer.address() as AddressInfo;
        url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
        if (address.address === '::' || address.address === '0.0.0.0') url = `http://127.0.0.1:${address.port}`;
        if (config.auth.development && !isLoopbackAddress(address.address)) {
          logger.warn({ address: address.address }, 'development mode listening beyond loopback (HOST): /auth/dev-token still answers callers on this machine only');
        }
        return url;
      },
      close() {
        closing ??= (async () => {
          // Sockets first, so subscribers get a clean 1001 "going away" (and reconnect elsewhere)
          // rather than a dropped connection once the HTTP drain closes everything it sees idle.
          await graphqlWebSocket.dispose();
          // Apollo's stop drains HTTP: the server stops accepting, in-flight requests finish, idle
          // keep-alive connections close, all before anything the requests use goes away.
          await graphqlServer.stop();
          integrationRows.close();
          await subscriptions.close();
          sandbox?.close();
          await webhooks.close();
          await pubsub.close();
          await database.close();
          logger.info('stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await pubsub.close();
    await database.close();
    throw error;
  }
}
