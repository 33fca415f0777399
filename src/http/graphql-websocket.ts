import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, getOperationAST, specifiedRules, subscribe, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors/app-error.js';
import type { ContextInput, GraphQLContext } from '../graphql/context.js';
import type { ErrorFormatter } from '../graphql/format-error.js';
import { limitValidationRules, parseWithTokenLimit, type OperationLimits } from '../graphql/operation-limits.js';
import type { ServiceMetrics } from '../metrics.js';
import { closeAtTokenExpiry } from './close-at-token-expiry.js';
import { SubscriptionFanout, type FanoutMember } from './subscription-fanout.js';

export interface GraphQLWebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  createContext: (input: ContextInput) => GraphQLContext;
  formatError: ErrorFormatter;
  limits: OperationLimits;
  logger: Logger;
  metrics: ServiceMetrics;
  /** @default '/graphql' */
  path?: string;
}

/** What the client sends in `connection_init`. */
type ConnectionParams = {
  authorization?: unknown;
  Authorization?: unknown;
};

type SocketExtra = {
  principal?: Principal;
};

export interface GraphQLWebSocket {
  /** Closes every socket (1001 Going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP server's `/graphql`. The caller authenticates
 * once, in `connection_init` (`{ authorization: 'Bearer …' }`, or the upgrade request's
 * Authorization header); a missing or refused token
 * closes the socket with 4403 Forbidden, as graphql-ws does for a refused connection, and so does
 * the token's expiry later (its client then reconnects with whatever token it has by then). Every
 * `subscribe` gets its own context (fresh loaders) and the same operation limits as HTTP.
 * Subscriptions of one organization asking the same thing share one execution per event
 * (SubscriptionFanout).
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { schema, limits, formatError, logger, metrics } = options;
  const rules = [...specifiedRules, ...limitValidationRules(limits)];
  const active = new WeakMap<object, Set<string>>();
  const server = new WebSocketServer({ server: options.httpServer, path: options.path ?? '/graphql' });
  const formatResult = (result: ExecutionResult) =>
    result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result;
  /** The subscriber of each subscription context, for `subscribe` (graphql-ws passes it the execution arguments only). */
  const members = new WeakMap<object, FanoutMember>();
  const fanout = new SubscriptionFanout({
    formatResult,
    // The organization only: results are shared by everyone in it who asks the same thing.
    groupContext: (_member, subscriberContext) =>
      options.createContext({
        principal: { userId: '', roles: [], organizationId: (subscriberContext as GraphQLContext).principal!.organizationId },
        requestId: randomUUID(),
      }),
  });

  const disposable = useServer<ConnectionParams, SocketExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const fromPayload = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        // Browsers cannot set headers on a WebSocket, so clients use the payload; a gateway (Apollo
        // Router with header propagation) may instead send the header on the upgrade request.
        const header = typeof fromPayload === 'string' ? fromPayload : ctx.extra.request.headers.authorization;
        try {
          const principal = await options.authenticator.authenticate(header);
          ctx.extra.principal = principal;
          if (principal.expiresAt) closeAtTokenExpiry(ctx.extra.socket, principal.expiresAt);
          return true;
        } catch (error) {
          logger.info({ reason: error instanceof AppError ? error.message : 'authentication failed' }, 'graphql-ws connection refused');
          return false;
        }
      },
      onSubscribe: (ctx, id, payload) => {
        let document: DocumentNode;
        try {
          document = parseWithTokenLimit(payload.query, limits);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('could not parse the operation')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('unable to identify the operation')];
        const principal = ctx.extra.principal ?? null;
        const contextValue = options.createContext({ principal, requestId: randomUUID() });
        if (operation.operation === 'subscription' && principal) {
          const key = JSON.stringify([principal.organizationId, payload.query, payload.operationName ?? null, payload.variables ?? null]);
          members.set(contextValue, { socket: ctx.extra.socket, connection: ctx.extra.request.socket, id, key });
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      subscribe: (args) => {
        const member = members.get(args.contextValue as object);
        return member ? fanout.subscribe(args, member) : subscribe(args);
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
          let ids = active.get(ctx);
          if (!ids) active.set(ctx, (ids = new Set()));
          ids.add(id);
          metrics.graphqlSubscriptionsActive.inc();
        }
      },
      onComplete: (ctx, id) => {
        if (active.get(ctx)?.delete(id)) metrics.graphqlSubscriptionsActive.dec();
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? formatResult(result) : undefined),
    },
    server,
  );

  return {
    async dispose() {
      await disposable.dispose();
    },
  };
}
