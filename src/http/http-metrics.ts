import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ServiceMetrics } from '../metrics.js';

/**
 * The route label: the matched route pattern (`/webhooks/:providerId`), never the raw path, so
 * label values stay bounded. Handlers mounted with `app.use` name themselves in `res.locals.route`.
 */
function routeOf(request: Request, response: Response): string {
  if (typeof response.locals.route === 'string') return response.locals.route;
  const route = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${request.baseUrl}${route}`;
  return 'unmatched';
}

/** Counts and times one request by method, route and status once its response is finished; `route` is asked then. */
export function observeHttpRequest(metrics: ServiceMetrics, request: IncomingMessage, response: ServerResponse, route: () => string): void {
  const started = process.hrtime.bigint();
  response.on('finish', () => {
    const labels = { method: request.method ?? '', route: route(), status: String(response.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
}

/** Counts and times every HTTP request of the express app by method, route and status. */
export function httpMetricsMiddleware(metrics: ServiceMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    observeHttpRequest(metrics, request, response, () => routeOf(request, response));
    next();
  };
}
