import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ProxyConfig } from '../config.js';
import type { IntegrationCallContext, TokenManager } from '../connections/token-manager.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { ConnectionParams, ProvidersConfig } from '../providers/resolve-provider.js';
import { failedResponseOf } from '../resilience/failed-response.js';
import type { ProviderBreakerRegistry } from '../resilience/provider-breakers.js';
import type { ResilienceLogger } from '../resilience/resilience-logger.js';
import type { HttpMethod } from '../resilience/http-request.js';
import { ResilientHttpClient } from '../resilience/resilient-http-client.js';
import type { StreamedResponse } from '../resilience/stream-attempt.js';
import { declaredContentLength, forwardedRequestHeaders, NULL_BODY_STATUSES, returnedResponseHeaders, type ProxyHeadersInit } from './forwarded-headers.js';
import { providerApiFor, type ProviderApiTarget } from './provider-api-target.js';
import { proxyFailure } from './proxy-failure.js';
import { checkProxyPath, proxiedUrl } from './proxy-path.js';
import { limitRequestBody } from './request-body-limit.js';

/** A request to send to an integration's provider API, as `connections.proxy` takes it. */
export interface ProxyRequest {
  /** Path below the provider's API base URL, with its query string: `/drive/v3/files?pageSize=10`. */
  path: string;
  /** Any method but CONNECT, TRACE and TRACK. @default 'GET' */
  method?: string | undefined;
  /** Only the allow-listed ones reach the provider (forwarded-headers.ts); never the caller's credentials. */
  headers?: ProxyHeadersInit | undefined;
  /**
   * A stream is passed on as it is read, never buffered, counted against the body limit, and sent
   * once (no retry). Bytes and strings are checked against the limit up front and may be sent again
   * (a retry of an idempotent method; once more after a refused token).
   */
  body?: ReadableStream<Uint8Array> | Uint8Array | string | null | undefined;
  /** Ends the call, and the response body with it. */
  signal?: AbortSignal | undefined;
}

/** A request as an HTTP adapter relays it: the body is the caller's Node stream (its `IncomingMessage`). */
export interface RelayedRequest extends Omit<ProxyRequest, 'body'> {
  body?: Readable | Uint8Array | string | undefined;
}

/** The provider's answer as the proxy passes it on. */
export interface ProxiedAnswer {
  status: number;
  statusText: string;
  /** The headers returned (forwarded-headers.ts): name, value, name, value… */
  headers: string[];
  /** Streamed as the provider sends it, failing if the provider stalls; null when the answer has no body. */
  body: Readable | Buffer | null;
}

export interface ProxyCallOptions {
  /** The caller's organization: another organization's integration is NOT_FOUND. @default any organization (system code) */
  organizationId?: string | undefined;
}

/**
 * `connections.proxy(integrationId, request)`: the provider's answer as a `Response` (status,
 * headers as forwarded-headers.ts says, body streamed), or an `AppError`: NOT_FOUND,
 * INTEGRATION_NOT_CONNECTED, BAD_USER_INPUT (path, method), PAYLOAD_TOO_LARGE, RATE_LIMITED,
 * PROVIDER_UNAVAILABLE (`details.circuitOpen` when no call was made), PROVIDER_NOT_CONFIGURED.
 */
export type ProxyCall = (integrationId: string, request: ProxyRequest, options?: ProxyCallOptions) => Promise<Response>;

/** The same call for an HTTP adapter, on Node streams both ways (the `/proxy` route). */
export type ProxyRelay = (integrationId: string, request: RelayedRequest, options?: ProxyCallOptions) => Promise<ProxiedAnswer>;

export interface ProviderProxyDependencies {
  tokens: Pick<TokenManager, 'withAccessToken'>;
  /** Provider endpoints (the API base URL) and the proxy's limits. */
  config: ProvidersConfig & { proxy?: ProxyConfig | undefined };
  /** Failed and retried provider calls are logged here, as every provider call's are. @default silent */
  logger?: ResilienceLogger;
  /** Whose breakers guard the calls. @default the process's (shared with each provider's API client) */
  breakers?: ProviderBreakerRegistry;
}

export const DEFAULT_PROXY_CONFIG: ProxyConfig = Object.freeze({ maxRequestBodyBytes: 10 * 1024 * 1024, timeoutMs: 30_000, forwardHeaders: [] });

/** Methods fetch refuses, and rightly: TRACE would echo our request, token included, to the caller. */
const REFUSED_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BODILESS_METHODS = new Set(['GET', 'HEAD']);
/**
 * A Retry-After up to this long is waited out (bodiless idempotent requests only); a longer one
 * goes back to the caller at once as 429 with its Retry-After, rather than holding the request.
 */
const MAX_RETRY_AFTER_WAIT_MS = 1_000;
/**
 * An upload runs at the caller's pace, which says nothing about the provider: its request has no
 * attempt timeout (the largest a timer takes), so a slow caller can never open the provider's
 * breaker. The provider's time to answer is counted from the body's last byte instead.
 */
const NO_ATTEMPT_TIMEOUT_MS = 2 ** 31 - 1;

/** The provider refused the access token (HTTP 401): the token manager refreshes it and calls once more. */
class AccessTokenRefused extends Error {
  readonly statusCode = 401;
}

const payloadTooLarge = (maxBytes: number): AppError =>
  new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `the request body is larger than the proxy's limit of ${maxBytes} bytes`, { maxBytes });

const byteLength = (body: Uint8Array | string): number => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

/**
 * The provider proxy: sends a caller's request to an integration's provider API with the
 * integration's fresh access token (`TokenManager.withAccessToken`: refreshed before expiry and
 * once on a 401), through the resilience layer (the provider's shared breaker, timeouts, retries
 * of what is safe to resend, Retry-After), and streams the answer back. Nothing of the caller's
 * credentials is passed on. The work is done on Node streams (`relay`, which the `/proxy` route
 * pipes as it is); `proxy` is the same call with web streams and a `Response`.
 */
export class ProviderProxy {
  readonly #deps: ProviderProxyDependencies;
  readonly #config: ProxyConfig;
  readonly #clients = new Map<string, ResilientHttpClient>();
  /**
   * Each connection's API target, kept with its connection params: one object for as long as the
   * integration row cache keeps the row, so a busy integration's endpoints are filled once, not
   * per call (a few percent of the proxy's CPU in bench/proxy).
   */
  readonly #targets = new WeakMap<ConnectionParams, { providerId: string; target: ProviderApiTarget }>();

  constructor(deps: ProviderProxyDependencies) {
    this.#deps = deps;
    this.#config = deps.config.proxy ?? DEFAULT_PROXY_CONFIG;
  }

  readonly proxy: ProxyCall = async (integrationId, request, options) => {
    const { body } = request;
    const answer = await this.relay(integrationId, { ...request, body: body instanceof ReadableStream ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : (body ?? undefined) }, options);
    const headers = new Headers();
    for (let index = 0; index < answer.headers.length; index += 2) headers.append(answer.headers[index]!, answer.headers[index + 1]!);
    const responseBody = answer.body === null || Buffer.isBuffer(answer.body) ? (answer.body as Uint8Array<ArrayBuffer> | null) : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
    return new Response(responseBody, { status: answer.status, statusText: answer.statusText, headers });
  };

  readonly relay: ProxyRelay = async (integrationId, request, options = {}) => {
    const method = (request.method ?? 'GET').toUpperCase();
    if (!METHOD.test(method) || REFUSED_METHODS.has(method)) throw new AppError(ErrorCode.BAD_USER_INPUT, `the proxy does not pass on ${method} requests`);
    const path = checkProxyPath(request.path);
    const headers = forwardedRequestHeaders(request.headers, this.#config.forwardHeaders);
    const { body } = request;
    if (body !== undefined && BODILESS_METHODS.has(method)) throw new AppError(ErrorCode.BAD_USER_INPUT, `a ${method} request cannot carry a body`);

    const { maxRequestBodyBytes, timeoutMs } = this.#config;
    if (!(body instanceof Readable)) {
      if (body !== undefined && byteLength(body) > maxRequestBodyBytes) throw payloadTooLarge(maxRequestBodyBytes);
      return this.#send(integrationId, { method, path, headers, body, signal: request.signal }, options);
    }

    // A streamed body: refused at once when it says it is too long, else counted as it goes.
    const declared = declaredContentLength(request.headers);
    if (declared !== undefined && declared > maxRequestBodyBytes) {
      body.resume(); // read and dropped, so that the caller's connection can carry the 413
      throw payloadTooLarge(maxRequestBodyBytes);
    }
    if (declared !== undefined) headers['content-length'] = String(declared);
    const local = new AbortController();
    let answerTimer: ReturnType<typeof setTimeout> | undefined;
    const limited = limitRequestBody(body, maxRequestBodyBytes, () => payloadTooLarge(maxRequestBodyBytes), {
      onOverflow: (error) => local.abort(error),
      onEnd: () => {
        answerTimer = setTimeout(
          () => local.abort(new AppError(ErrorCode.PROVIDER_UNAVAILABLE, `the provider did not answer within ${timeoutMs} ms of the request body`)),
          timeoutMs,
        );
      },
    });
    const signal = request.signal ? AbortSignal.any([request.signal, local.signal]) : local.signal;
    try {
      return await this.#send(integrationId, { method, path, headers, body: limited, signal }, options, () => clearTimeout(answerTimer));
    } finally {
      clearTimeout(answerTimer);
    }
  };

  async #send(
    integrationId: string,
    request: { method: string; path: string; headers: Record<string, string>; body: Readable | Uint8Array | string | undefined; signal: AbortSignal | undefined },
    options: ProxyCallOptions,
    /** The provider's response headers arrived. */
    answered: () => void = () => undefined,
  ): Promise<ProxiedAnswer> {
    const { method, body } = request;
    const streamed = body instanceof Readable;
    let invocations = 0;
    /** A 401 to a streamed body: it cannot be sent again, so after the refresh this answer is the caller's. */
    let refused: StreamedResponse | undefined;
    const call = async (accessToken: string, context: IntegrationCallContext): Promise<StreamedResponse> => {
      invocations += 1;
      if (refused) return refused;
      const api = this.#apiFor(context);
      const response = await this.#client(context.providerId).stream({
        url: proxiedUrl(api.baseUrl, request.path),
        method: method as HttpMethod,
        headers: api.headers(accessToken, request.headers),
        body,
        signal: request.signal,
        ...(streamed && { timeout: NO_ATTEMPT_TIMEOUT_MS, deadline: NO_ATTEMPT_TIMEOUT_MS }),
      });
      answered();
      if (response.statusCode !== 401 || invocations > 1) return response;
      if (streamed) refused = response;
      else response.body.resume();
      throw new AccessTokenRefused('the provider refused the access token');
    };

    let upstream: StreamedResponse;
    try {
      upstream = await this.#deps.tokens.withAccessToken(integrationId, call, { organizationId: options.organizationId, requireConnected: true });
    } catch (error) {
      refused?.body.destroy();
      // The caller went away, or our own limit or timer ended the call: its reason says which.
      if (request.signal?.aborted) throw proxyFailure(request.signal.reason);
      const failed = failedResponseOf(error);
      if (failed && failed.status !== 429) {
        const bodiless = method === 'HEAD' || NULL_BODY_STATUSES.has(failed.status);
        return { status: failed.status, statusText: failed.statusText, headers: returnedResponseHeaders(failed.headers), body: bodiless ? null : failed.body };
      }
      throw proxyFailure(error);
    }
    return this.#answer(upstream, method);
  }

  /** The provider's answer as the caller gets it: filtered headers, the body streamed (its idle timeout is the client's). */
  #answer(upstream: StreamedResponse, method: string): ProxiedAnswer {
    const status = upstream.statusCode;
    const bodiless = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
    if (bodiless) upstream.body.resume();
    return { status, statusText: upstream.statusText, headers: returnedResponseHeaders(upstream.headers), body: bodiless ? null : upstream.body };
  }

  #apiFor(context: IntegrationCallContext): ProviderApiTarget {
    const kept = this.#targets.get(context.connectionParams);
    if (kept?.providerId === context.providerId) return kept.target;
    const target = providerApiFor(context, this.#deps.config);
    this.#targets.set(context.connectionParams, { providerId: context.providerId, target });
    return target;
  }

  /** One client per provider; its breaker is the provider's, shared with the provider's API client. */
  #client(providerId: string): ResilientHttpClient {
    let client = this.#clients.get(providerId);
    if (!client) {
      const { timeoutMs } = this.#config;
      client = new ResilientHttpClient({
        name: providerId,
        timeout: timeoutMs,
        // Room for retries after quick failures; an attempt's own timeout stays a provider failure
        // (one cut by the deadline would not count on the breaker).
        deadline: 2 * timeoutMs,
        maxRetryAfterMs: MAX_RETRY_AFTER_WAIT_MS,
        // An answer whose provider stops sending is cut: the caller's connection with it.
        streamIdleTimeout: timeoutMs,
        ...(this.#deps.logger && { logger: this.#deps.logger }),
        ...(this.#deps.breakers && { breakers: this.#deps.breakers }),
      });
      this.#clients.set(providerId, client);
    }
    return client;
  }
}
