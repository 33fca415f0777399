import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Logger } from 'pino';
import { serializeError } from '../error-serializer.js';
import { assignRequestId } from './request-id.js';

/** The path without its query string: `/oauth/callback?code=…&state=…` must not reach a log line. */
const pathOf = (url: string | undefined): string => (url ?? '').split('?')[0] ?? '';

/**
 * Access logging with pino-http: one line per request with its id, method, path (never the
 * query), status and latency. Headers are left out entirely; the root logger also redacts
 * authorization and cookie should anything log them.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (request: IncomingMessage, response: ServerResponse) => assignRequestId(request, response),
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
    // Probes and scrapes every few seconds would drown everything else.
    autoLogging: { ignore: (request) => ['/healthz', '/readyz', '/metrics'].includes(pathOf(request.url)) },
    serializers: {
      req: (request: { id: unknown; method: string; url: string }) => ({ id: request.id, method: request.method, path: pathOf(request.url) }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      // pino-http would otherwise put back pino's own, which logs the stack.
      err: serializeError,
    },
  });
}
