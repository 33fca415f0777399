import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { ServiceMetrics } from '../metrics.js';
import type { ProxiedAnswer, ProxyRelay } from '../proxy/provider-proxy.js';
import { createHttpLogger, requestLogger } from './http-logger.js';
import { observeHttpRequest } from './http-metrics.js';

export interface ProxyRouteOptions {
  authenticator: Authenticator;
  /** `connections.relay`: `connections.proxy` on Node streams. */
  relay: ProxyRelay;
  /** The access log line and the HTTP metrics every request gets. */
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Takes a request it serves and answers true, or leaves it alone and answers false. */
export type ProxyRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

const PREFIX = '/proxy/';
/** The metrics' route label, as express named the route before the proxy left it. */
const ROUTE = '/proxy/:integrationId{/*path}';

/** The HTTP status of each error the proxy answers with; anything else is a 500. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INTEGRATION_NOT_CONNECTED]: 409,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.PROVIDER_UNAVAILABLE]: 502,
  [ErrorCode.PROVIDER_NOT_CONFIGURED]: 503,
};

/**
 * `/proxy/<id>/drive/v3/files?q=1` → id `<id>` and path `/drive/v3/files?q=1`, the path as the
 * caller wrote it (no decoding); undefined for any other request target.
 */
function proxyTarget(url: string): { integrationId: string; path: string } | undefined {
  let target = url;
  if (!target.startsWith('/')) {
    // The absolute form (`GET http://host/proxy/…`), which HTTP/1.1 servers must accept.
    if (!URL.canParse(target)) return undefined;
    const parsed = new URL(target);
    target = parsed.pathname + parsed.search;
  }
  if (!target.startsWith(PREFIX)) return undefined;
  const afterPrefix = target.slice(PREFIX.length);
  const end = afterPrefix.search(/[/?]/);
  const integrationId = end < 0 ? afterPrefix : afterPrefix.slice(0, end);
  if (integrationId === '') return undefined;
  return { integrationId, path: end < 0 ? '' : afterPrefix.slice(end) };
}

const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

function sendError(response: ServerResponse, error: AppError): void {
  const details = error.details ?? {};
  const circuitOpen = details.circuitOpen === true;
  const status = error.code === ErrorCode.PROVIDER_UNAVAILABLE && circuitOpen ? 503 : (STATUS_BY_CODE[error.code] ?? 500);
  const body = JSON.stringify({ code: error.code, message: error.message, ...details });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (typeof details.retryAfterSeconds === 'number') headers['retry-after'] = String(details.retryAfterSeconds);
  if (error.code === ErrorCode.UNAUTHENTICATED) headers['www-authenticate'] = 'Bearer';
  // The rest of the body was not read: do not keep the connection for another request behind it.
  if (error.code === ErrorCode.PAYLOAD_TOO_LARGE) headers.connection = 'close';
  response.writeHead(status, headers).end(body);
}

/** A header of an answer's pairs (lower-case names). */
function answerHeader(headers: readonly string[], name: string): string | undefined {
  for (let index = 0; index < headers.length; index += 2) if (headers[index] === name) return headers[index + 1];
  return undefined;
}

/**
 * Writes the provider's answer, its body at the pace the caller takes it. An answer that arrives
 * in one read leaves in one write, status line and headers included (written apart, and the end
 * apart again, they were three system calls: a fifth of the proxy's CPU in bench/proxy): the
 * chunk that completes a body of known length goes out with `end`, and what a chunked body
 * brings in one turn of the event loop (its end included, which comes a tick after its last
 * chunk) is held corked until that turn is over. A body that fails after the status is out (the
 * provider stalled or dropped) cuts the caller's connection, all that can tell it the answer is
 * incomplete; a caller that goes away ends the provider's.
 */
function sendAnswer(answer: ProxiedAnswer, response: ServerResponse): void {
  response.writeHead(answer.status, answer.statusText || undefined, answer.headers);
  const { body } = answer;
  if (body === null || Buffer.isBuffer(body)) {
    response.end(body ?? undefined);
    return;
  }
  const declared = Number(answerHeader(answer.headers, 'content-length') ?? Number.NaN);
  let remaining = Number.isSafeInteger(declared) ? declared : Number.POSITIVE_INFINITY;
  const resume = (): void => void body.resume();
  let corked = false;
  const uncork = (): void => {
    corked = false;
    if (!response.writableEnded) response.uncork();
  };
  body.on('data', (chunk: Buffer) => {
    remaining -= chunk.byteLength;
    if (remaining <= 0) {
      response.end(chunk);
      return;
    }
    if (!corked) {
      corked = true;
      response.cork();
      setImmediate(uncork);
    }
    if (!response.write(chunk)) {
      body.pause();
      response.once('drain', resume);
    }
  });
  body.once('end', () => {
    if (!response.writableEnded) response.end();
  });
  body.once('error', (error) => response.destroy(error));
  response.once('close', () => {
    response.off('drain', resume);
    if (!body.readableEnded) body.destroy();
  });
}

/**
 * `ANY /proxy/:integrationId/*path`: a thin adapter over `connections.proxy`. The caller's JWT
 * (the existing Authenticator) names the organization; the answer is the provider's (status,
 * headers, body streamed) or a JSON error `{ code, message, … }`. No body parser runs in front.
 *
 * It runs on node:http ahead of the express app, with the access log line and metrics every
 * route has: express's routing and request decoration took a fifth of the proxy's CPU per call
 * (bench/proxy), and nothing of them is used here.
 */
export function createProxyRoute(options: ProxyRouteOptions): ProxyRoute {
  const accessLog = createHttpLogger(options.logger);
  const serve = async (request: IncomingMessage, response: ServerResponse, integrationId: string, path: string): Promise<void> => {
    let organizationId: string;
    try {
      ({ organizationId } = await options.authenticator.authenticate(request.headers.authorization));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      sendError(response, error);
      return;
    }
    const caller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) caller.abort(new DOMException('the caller closed the connection', 'AbortError'));
    });
    let answer: ProxiedAnswer;
    try {
      answer = await options.relay(
        integrationId,
        { method: request.method, path, headers: request.headers, body: hasBody(request) ? request : undefined, signal: caller.signal },
        { organizationId },
      );
    } catch (error) {
      if (caller.signal.aborted) return;
      if (!(error instanceof AppError)) throw error;
      if (error.code === ErrorCode.PROVIDER_UNAVAILABLE || error.code === ErrorCode.PROVIDER_NOT_CONFIGURED) requestLogger(options.logger, request).warn({ err: error }, 'proxied call failed');
      sendError(response, error);
      return;
    }
    sendAnswer(answer, response);
  };

  return (request, response) => {
    const target = proxyTarget(request.url ?? '/');
    if (!target) return false;
    accessLog(request, response);
    observeHttpRequest(options.metrics, request, response, () => ROUTE);
    let integrationId: string;
    try {
      integrationId = decodeURIComponent(target.integrationId);
    } catch {
      sendError(response, new AppError(ErrorCode.BAD_USER_INPUT, 'the integration id in the path is not valid percent-encoding'));
      return true;
    }
    serve(request, response, integrationId, target.path).catch((error: unknown) => {
      // Said as the other proxy errors are, in our words: the cause is for the log only.
      requestLogger(options.logger, request).error({ err: error }, 'proxied call failed unexpectedly');
      if (response.headersSent) response.destroy();
      else sendError(response, new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'internal server error'));
    });
    return true;
  };
}
