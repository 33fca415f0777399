import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLSchema } from 'graphql';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics.js';
import { authenticationPlugin } from './authentication-plugin.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './format-error.js';
import { metricsPlugin } from './metrics-plugin.js';
import { noStorePlugin } from './no-store-plugin.js';
import { readTransactionPlugin } from './read-transaction-plugin.js';
import { responseCachePlugin, type ResponseCaching } from './response-cache-plugin.js';
import { ARMOR_CONFIG, DEFAULT_OPERATION_LIMITS, limitValidationRules, parseOptions, type OperationLimits } from './operation-limits.js';

export interface GraphQLServerOptions {
  schema: GraphQLSchema;
  logger: Logger;
  /** Production: no introspection, no landing page. */
  production: boolean;
  /** Drained on stop: in-flight requests finish, idle keep-alive connections close. */
  httpServer: Server;
  metrics: ServiceMetrics;
  /** @default DEFAULT_OPERATION_LIMITS */
  limits?: OperationLimits;
  /** Answers queries from a cache kept true by the change announcements; none when absent. */
  responseCaching?: ResponseCaching;
}

/**
 * Apollo Server with the hardening the service promises: graphql-armor limits (depth, aliases,
 * cost, tokens, directives) and hidden field suggestions, no batched requests, CSRF prevention,
 * introspection only outside production, no stack traces ever, errors mapped in one place.
 * Call `start()` before mounting it.
 */
export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  const limits = options.limits ?? DEFAULT_OPERATION_LIMITS;
  const armor = new ApolloArmor(ARMOR_CONFIG).protect();
  const formatError = createErrorFormatter(options.logger);
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]),
    authenticationPlugin(),
    metricsPlugin(options.metrics) as ApolloServerPlugin<GraphQLContext>,
    ...(options.responseCaching ? [responseCachePlugin(options.responseCaching, options.metrics)] : []),
    readTransactionPlugin(),
    // Instead of Apollo's default cache-control plugin (see noStorePlugin for why).
    ApolloServerPluginCacheControlDisabled(),
    noStorePlugin(),
    ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
    // Federated traces (ftv1) go to whoever sends the header asking for them, so their error
    // messages are masked: the formatted response is the only place an error is described.
    ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
  ];
  if (options.production) plugins.push(ApolloServerPluginLandingPageDisabled());

  return new ApolloServer<GraphQLContext>({
    schema: options.schema,
    plugins,
    validationRules: [...armor.validationRules, ...limitValidationRules(limits)],
    parseOptions: parseOptions(limits),
    allowBatchedHttpRequests: false,
    // src/main.ts owns SIGINT/SIGTERM and closes in order (sockets, HTTP drain, worker, pools).
    // Apollo's own handler would start a second, concurrent shutdown that re-raises the signal.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    formatError,
    logger: {
      debug: (message) => options.logger.debug(message),
      info: (message) => options.logger.info(message),
      warn: (message) => options.logger.warn(message),
      error: (message) => options.logger.error(message),
    },
  });
}
