import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { ProxiedAnswer, ProxyRelay } from '../proxy/provider-proxy.js';

export interface ProxyRouteOptions {
  authenticator: Authenticator;
  /** `connections.relay`: `connections.proxy` on Node streams. */
  relay: ProxyRelay;
}

const PREFIX = '/proxy/';

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

/** `/proxy/<id>/drive/v3/files?q=1` → `/drive/v3/files?q=1`, as the caller wrote it (no decoding). */
function proxiedPath(originalUrl: string): string {
  const target = originalUrl.startsWith('/') ? originalUrl : new URL(originalUrl).pathname + new URL(originalUrl).search;
  const afterId = target.slice(PREFIX.length);
  const end = afterId.search(/[/?]/);
  return end < 0 ? '' : afterId.slice(end);
}

const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

function sendError(response: Response, error: AppError): void {
  const status = STATUS_BY_CODE[error.code] ?? 500;
  const details = error.details ?? {};
  const circuitOpen = details.circuitOpen === true;
  response.status(error.code === ErrorCode.PROVIDER_UNAVAILABLE && circuitOpen ? 503 : status);
  response.set('cache-control', 'no-store');
  if (typeof details.retryAfterSeconds === 'number') response.set('retry-after', String(details.retryAfterSeconds));
  if (error.code === ErrorCode.UNAUTHENTICATED) response.set('www-authenticate', 'Bearer');
  // The rest of the body was not read: do not keep the connection for another request behind it.
  if (error.code === ErrorCode.PAYLOAD_TOO_LARGE) response.set('connection', 'close');
  response.json({ code: error.code, message: error.message, ...details });
}

/**
 * Writes the provider's answer, its body at the pace the caller takes it. The chunk that
 * completes a body of known length goes out with `end`, so an answer that arrives in one chunk
 * leaves in one write, status line and headers included (written apart, and the end apart
 * again, they were three system calls: a fifth of the proxy's CPU in bench/proxy). A body that
 * fails after the status is out (the provider stalled or dropped) cuts the caller's connection,
 * all that can tell it the answer is incomplete; a caller that goes away ends the provider's.
 */
function sendAnswer(answer: ProxiedAnswer, response: ServerResponse): void {
  response.writeHead(answer.status, answer.statusText || undefined, answer.headers);
  const { body } = answer;
  if (body === null || Buffer.isBuffer(body)) {
    response.end(body ?? undefined);
    return;
  }
  const declared = Number(body.headers['content-length'] ?? Number.NaN);
  let remaining = Number.isSafeInteger(declared) ? declared : Number.POSITIVE_INFINITY;
  const resume = (): void => void body.resume();
  body.on('data', (chunk: Buffer) => {
    remaining -= chunk.byteLength;
    if (remaining <= 0) response.end(chunk);
    else if (!response.write(chunk)) {
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
 */
export function createProxyRouter(options: ProxyRouteOptions): Router {
  const router = Router();
  router.all('/proxy/:integrationId{/*path}', async (request: Request<{ integrationId: string }>, response: Response) => {
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
        request.params.integrationId,
        {
          method: request.method,
          path: proxiedPath(request.originalUrl),
          headers: request.headers,
          body: hasBody(request) ? request : undefined,
          signal: caller.signal,
        },
        { organizationId },
      );
    } catch (error) {
      if (caller.signal.aborted) return;
      if (!(error instanceof AppError)) {
        // Said as the other proxy errors are, in our words: the cause is for the log only.
        request.log.error({ err: error }, 'proxied call failed unexpectedly');
        sendError(response, new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'internal server error'));
        return;
      }
      if (error.code === ErrorCode.PROVIDER_UNAVAILABLE || error.code === ErrorCode.PROVIDER_NOT_CONFIGURED) request.log.warn({ err: error }, 'proxied call failed');
      sendError(response, error);
      return;
    }
    sendAnswer(answer, response);
  });
  return router;
}
