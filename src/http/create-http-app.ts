import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors/app-error.js';
import { rememberAuthenticationFailure } from '../graphql/authentication-plugin.js';
import type { ContextInput, GraphQLContext } from '../graphql/context.js';
import type { ServiceMetrics } from '../metrics.js';
import { mountClient } from './client-static.js';
import { createHttpLogger, requestLogger } from './http-logger.js';
import { httpMetricsMiddleware } from './http-metrics.js';
import { isLoopbackCaller } from './loopback-caller.js';
import { readinessHandler, type ReadinessCheck } from './readiness.js';

/**
 * Adds routes of another module (the OAuth callback, the webhook receiver). Mounts run before
 * `/graphql` and the UI, with no body parser in front: a route that needs the raw body (webhook
 * signatures) reads it itself, one that wants JSON adds `express.json()` to its own router.
 */
export type RouteMount = (app: Express) => void;

export interface HttpAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Dependencies `/readyz` asks about. */
  readiness: readonly ReadinessCheck[];
  /** A started Apollo Server. */
  graphqlServer: ApolloServer<GraphQLContext>;
  authenticator: Authenticator;
  createContext: (input: ContextInput) => GraphQLContext;
  routes?: readonly RouteMount[];
  /** The built UI; not served when absent or not built. */
  clientDir?: string | undefined;
  /** Largest JSON body `/graphql` accepts. @default '1mb' */
  jsonBodyLimit?: string;
  /**
   * Development mode only: mints the demo organization's token for `GET /auth/dev-token`, where
   * the UI picks it up; served to loopback callers only (`isLoopbackCaller`), 403 to others.
   * Absent (the route answers 404) whenever auth is configured.
   */
  developmentToken?: (() => Promise<string>) | undefined;
}

/** The express 5 application: observability first, then health, mounted routes, GraphQL, UI. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are `no-store` and differ per caller: hashing every body for an ETag is pure
  // cost (measurable on the read path's 30 KB answers). Static UI assets get theirs from serve-static.
  app.set('etag', false);
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  const accessLog = createHttpLogger(options.logger);
  app.use((request: Request, response: Response, next: NextFunction) => {
    accessLog(request, response);
    next();
  });
  app.use(httpMetricsMiddleware(options.metrics));

  app.get('/healthz', (_request, response) => {
    response.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  app.get('/readyz', readinessHandler(options.readiness));
  app.get('/metrics', async (_request, response) => {
    const { contentType, body } = await options.metrics.scrape();
    response.set('content-type', contentType).send(body);
  });

  const { developmentToken } = options;
  if (developmentToken) {
    app.get('/auth/dev-token', async (request, response) => {
      response.set('cache-control', 'no-store');
      // An admin token of the demo organization: anyone who can fetch it owns the instance.
      if (!isLoopbackCaller(request)) {
        response.status(403).json({ error: 'the development token is served to callers on this machine only' });
        return;
      }
      response.json({ token: await developmentToken() });
    });
  }

  for (const mount of options.routes ?? []) mount(app);

  const graphql = expressMiddleware(options.graphqlServer, {
    context: async ({ req }) => {
      let principal: Principal | null = null;
      let failure: AppError | undefined;
      const header = req.headers.authorization;
      if (header !== undefined) {
        try {
          principal = await options.authenticator.authenticate(header);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          failure = error;
        }
      }
      const context = options.createContext({ principal, requestId: String(req.id) });
      if (failure) rememberAuthenticationFailure(context, failure);
      return context;
    },
  });
  const nameRoute = (_request: Request, response: Response, next: NextFunction) => {
    response.locals.route = '/graphql';
    next();
  };
  app.use('/graphql', nameRoute, express.json({ limit: options.jsonBodyLimit ?? '1mb' }), graphql);

  if (options.clientDir !== undefined && mountClient(app, options.clientDir)) {
    options.logger.debug({ clientDir: options.clientDir }, 'serving the UI');
  }

  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: 'not found' });
  });
  // Express 5 forwards rejected promises here; the body says nothing about the cause.
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) requestLogger(options.logger, request).error({ err: error }, 'unhandled error in HTTP handler');
    if (response.headersSent) return;
    response.status(status).json({ error: status >= 500 ? 'internal server error' : 'bad request' });
  });
  return app;
}
