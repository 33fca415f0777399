import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { ProxyCall } from '../proxy/provider-proxy.js';

export interface ProxyRouteOptions {
  authenticator: Authenticator;
  /** `connections.proxy`. */
  proxy: ProxyCall;
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

/**
 * The request body as a stream that reads only as fast as it is pulled (the socket is paused in
 * between). Cancelling it leaves the rest to node, which discards it (or closes the connection
 * after a response sent with `Connection: close`) rather than destroying the socket before the
 * answer is out.
 */
function callerBody(request: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  const onData = (controller: ReadableStreamDefaultController<Uint8Array>) => (chunk: Buffer) => {
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 1) <= 0) request.pause();
  };
  let listener: ((chunk: Buffer) => void) | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        listener = onData(controller);
        request.on('data', listener);
        request.once('end', () => !cancelled && controller.close());
        request.once('error', (error) => !cancelled && controller.error(error));
      },
      pull() {
        request.resume();
      },
      cancel() {
        cancelled = true;
        if (listener) request.off('data', listener);
        request.resume();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

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

/** Writes the provider's body as it is read, at the pace the caller takes it. */
async function pipeBody(body: ReadableStream<Uint8Array>, response: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const onClose = (): void => {
    if (!response.writableFinished) void reader.cancel().catch(() => undefined);
  };
  response.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!response.write(value)) {
        await new Promise<void>((resolve) => {
          const go = (): void => {
            response.off('drain', go);
            response.off('close', go);
            resolve();
          };
          response.once('drain', go);
          response.once('close', go);
        });
      }
      if (response.destroyed) return;
    }
    response.end();
  } catch (error) {
    // The status is out already: all the caller can be told is that the answer was cut.
    response.destroy(error instanceof Error ? error : undefined);
  } finally {
    response.off('close', onClose);
  }
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
    let answer: globalThis.Response;
    try {
      answer = await options.proxy(
        request.params.integrationId,
        {
          method: request.method,
          path: proxiedPath(request.originalUrl),
          headers: request.headers,
          body: hasBody(request) ? callerBody(request) : undefined,
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
    response.status(answer.status);
    if (answer.statusText) response.statusMessage = answer.statusText;
    for (const [name, value] of answer.headers) response.setHeader(name, value);
    if (answer.body === null) response.end();
    else await pipeBody(answer.body, response);
  });
  return router;
}
