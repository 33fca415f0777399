import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { assignRequestId } from './request-id.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id (request-id.ts), set by the access log. */
    id: string;
  }
}

/** Probes and scrapes every few seconds would drown everything else. */
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The path without its query string: `/oauth/callback?code=…&state=…` must not reach a log line. */
const pathOf = (url: string | undefined): string => (url ?? '').split('?')[0] ?? '';

/** Starts a request's access logging: call it first thing, before anything answers. */
export type HttpLogger = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Access logging: one line per request with its id, method, path (never the query), status and
 * latency: `request completed` at the level its status says (5xx error, 4xx warn), or
 * `request aborted` when the caller left before the answer was out. Headers are left out
 * entirely; the root logger also redacts authorization and cookie should anything log them.
 *
 * Written here rather than with pino-http, which builds every request a child logger (its
 * bindings serialized and redacted) whether or not anything logs through it: a tenth of the
 * proxy's CPU per call in bench/proxy. What a handler logs about a request goes through
 * {@link requestLogger}, made only then.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  return (request, response) => {
    const id = assignRequestId(request, response);
    const req = { id, method: request.method, path: pathOf(request.url) };
    request.id = id;
    if (UNLOGGED_PATHS.has(req.path)) return;

    const started = performance.now();
    // A response closes once it is finished, or when its connection ends before that.
    response.once('close', () => {
      const line = { req, res: { statusCode: response.statusCode }, responseTime: Math.round(performance.now() - started) };
      if (!response.writableFinished) logger.warn(line, 'request aborted');
      else logger[response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'](line, 'request completed');
    });
  };
}

/** A logger whose lines carry the request's id, method and path, as its access log line does. */
export function requestLogger(logger: Logger, request: IncomingMessage): Logger {
  return logger.child({ req: { id: request.id, method: request.method, path: pathOf(request.url) } });
}
