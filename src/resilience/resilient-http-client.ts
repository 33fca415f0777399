import type { RetryPolicy } from 'cockatiel';
import { IntegrationError, IntegrationErrorCode } from '../providers/integration-error.js';
import { CircuitBreakerPresets, type CircuitBreaker, type CircuitBreakerConfig, type ProviderHealth } from './circuit-breaker.js';
import { CircuitOpenError } from './circuit-open-error.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';
import { raceAbort } from './abort.js';
import { clearAttemptTimeout } from './attempt-timeouts.js';
import { startFetchAttempt, type FetchAttempt } from './fetch-attempt.js';
import { providerRetries, requestMetrics, type RequestMetrics } from './metrics.js';
import { providerBreakers, type ProviderBreakerRegistry } from './provider-breakers.js';
import { describeBody, redactHeaders, redactUrl } from './redaction.js';
import { keepFailedResponse, readFailedResponse } from './failed-response.js';
import { encodeBody } from './request-body.js';
import { silentLogger, type ResilienceLogger } from './resilience-logger.js';
import { bodyReading, decodeTextBody, readOtherBody, type DecodedBody } from './response-body.js';
import { retryAfterMs } from './retry-after.js';
import { createRetryPolicy, resolveRetryConfig, RetryPresets, type RetryPolicyConfig } from './retry.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface HttpRequestConfig {
  /** Absolute, or relative to the client's base URL. */
  url: string;
  /** @default 'GET' */
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** Plain values are sent as JSON; strings, forms, multipart, binary and streams as they are. */
  body?: unknown;
  /** Per-attempt timeout in ms (response body included). @default the client's */
  timeout?: number;
  /** Overall budget in ms across attempts and waits. @default the client's */
  deadline?: number;
  signal?: AbortSignal;
  /**
   * The request may be sent twice without harm. GET, HEAD, PUT, DELETE and OPTIONS are by
   * definition; a POST or PATCH is retried after it may have reached the server only with this
   * flag or an idempotency key.
   * @default false
   */
  idempotent?: boolean;
  /** Sent as `Idempotency-Key`; makes the request safe to retry. */
  idempotencyKey?: string;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/** Retry settings of a client, with the seed's `onRetry` hook. */
export interface HttpRetryConfig extends RetryPolicyConfig {
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

export interface ResilientHttpClientOptions {
  /** The provider or service: names its circuit breaker, metrics and errors. */
  name: string;
  /** Prefix of relative URLs. */
  baseURL?: string;
  /** Sent with every request; per-call headers win. */
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms. @default 30000 */
  timeout?: number;
  /** Overall budget of a call in ms. @default maxAttempts × timeout + (maxAttempts − 1) × maxDelay */
  deadline?: number;
  /** @default RetryPresets.network */
  retry?: HttpRetryConfig;
  /** Settings of the provider's breaker, used if this client is the first of its provider. @default CircuitBreakerPresets.standard */
  circuitBreaker?: CircuitBreakerConfig;
  /**
   * Longest Retry-After we wait for; a 429 asking for more fails at once with `RATE_LIMITED`
   * and the wait in `retryAfterMs` (a 503 with `PROVIDER_UNAVAILABLE`).
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /** @default a silent logger */
  logger?: ResilienceLogger;
  /** @default the process registry ({@link providerBreakers}) */
  breakers?: ProviderBreakerRegistry;
}

const IDEMPOTENT_METHODS = new Set<string>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Statuses worth another attempt (RFC 9110 / 6585 / 8470 semantics). */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/**
 * Statuses that say the request was not processed (timed out while receiving it, too early,
 * rate limited before processing), so even a POST may be sent again.
 */
const NOT_PROCESSED_STATUSES = new Set([408, 425, 429]);
/** Socket errors raised before a byte of the request left: safe to resend anything. */
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

const DEFAULT_TIMEOUT_MS = 30_000;
const SLASH = 0x2f;
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

/** One call as it goes through its attempts. */
interface PreparedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** `headers` has at least one entry. */
  hasHeaders: boolean;
  rawBody: unknown;
  body: BodyInit | undefined;
  streamed: boolean;
  replayable: boolean;
  replaySafe: boolean;
  timeout: number;
  deadline: number;
  deadlineAt: number;
  /** A retry wait was cut at the deadline: no attempt follows it. */
  deadlineReached: boolean;
  attempts: number;
  metrics: RequestMetrics;
  loggedUrl?: string;
  /** Resolve with status, headers and data (`send`) rather than the data alone (`request`). */
  withResponse: boolean;
  /** Resolve with the `Response`, body unread (`stream`). */
  rawResponse: boolean;
  /** The caller's. */
  signal: AbortSignal | undefined;
}

/** The `code` of a socket error, wherever undici put it in the cause chain. */
function socketErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * The resilient client every provider call goes through: per provider one circuit breaker
 * (from the registry), retries with backoff and Retry-After, a timeout per attempt, an overall
 * deadline, the caller's AbortSignal, metrics and redacted logs. Policies are cockatiel's,
 * composed as retry(breaker(attempt)): each attempt counts on the breaker, and an open
 * breaker stops the retries. Each attempt has its timeout, which ends the request in the
 * transport (fetch-attempt.ts, dispatcher-attempt.ts) from one shared timer
 * (attempt-timeouts.ts), rather than cockatiel's timeout policy with its derived controller,
 * listeners and timer per attempt.
 */
export class ResilientHttpClient {
  readonly name: string;
  readonly #baseURL: string | undefined;
  readonly #headers: Record<string, string>;
  readonly #timeout: number;
  readonly #deadline: number | undefined;
  readonly #maxAttempts: number;
  readonly #maxDelay: number;
  readonly #maxRetryAfterMs: number;
  readonly #breakerConfig: CircuitBreakerConfig;
  readonly #breakers: ProviderBreakerRegistry;
  readonly #logger: ResilienceLogger;
  readonly #retry: RetryPolicy;
  readonly #baseURLValid: boolean;
  readonly #hasDefaultHeaders: boolean;
  readonly #metrics = new Map<string, RequestMetrics>();

  constructor(options: ResilientHttpClientOptions) {
    this.name = options.name;
    this.#baseURL = options.baseURL?.replace(/\/+$/, '');
    this.#baseURLValid = this.#baseURL !== undefined && URL.canParse(this.#baseURL);
    this.#headers = Object.freeze(lowerCaseKeys(options.headers ?? {}));
    this.#hasDefaultHeaders = Object.keys(this.#headers).length > 0;
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#deadline = options.deadline;
    const retry = resolveRetryConfig({ ...RetryPresets.network, ...options.retry });
    this.#maxAttempts = retry.maxAttempts;
    this.#maxDelay = retry.maxDelay;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.#breakerConfig = options.circuitBreaker ?? CircuitBreakerPresets.standard;
    this.#breakers = options.breakers ?? providerBreakers;
    this.#logger = options.logger ?? silentLogger;
    this.#retry = createRetryPolicy(
      retry,
      isRetryableAttemptError,
      // Never sleep past the call's deadline: a wait cut at it ends the call with DEADLINE rather
      // than waking a hair early (timers run on the loop's cached clock) to send a doomed attempt.
      (delay, failure) => {
        const call = failure instanceof IntegrationError ? callOf.get(failure) : undefined;
        if (call === undefined) return delay;
        const remaining = call.deadlineAt - Date.now();
        if (delay < remaining) return delay;
        call.deadlineReached = true;
        return Math.max(0, remaining);
      },
    );
    const onRetry = options.retry?.onRetry;
    this.#retry.onRetry((event) => {
      const error = 'error' in event && event.error instanceof IntegrationError ? event.error : undefined;
      providerRetries.inc({ provider: this.name, reason: error ? retryReason(error) : 'other' });
      if (this.#logger.isLevelEnabled?.('warn') ?? true) {
        this.#logger.warn(
          { service: this.name, retry: event.attempt, delayMs: event.delay, code: error?.code, statusCode: error?.statusCode, error: error?.message },
          'retrying provider request',
        );
      }
      if (onRetry && error) onRetry(event.attempt, error, event.delay);
    });
  }

  /** The provider's breaker state in this process. */
  health(): ProviderHealth {
    return this.#breakers.health(this.name);
  }

  /** Sends the request and returns the decoded body. */
  request<T = unknown>(config: HttpRequestConfig): Promise<T> {
    return this.#call(config, false) as Promise<T>;
  }

  /** Sends the request and returns status, headers and decoded body. */
  send<T = unknown>(config: HttpRequestConfig): Promise<HttpResponse<T>> {
    return this.#call(config, true) as Promise<HttpResponse<T>>;
  }

  /**
   * Sends the request and resolves with the provider's `Response` as it arrives, body unread,
   * whatever its status, except the statuses this layer acts on: 5xx, 408, 425 and 429 are
   * retried when that is safe and count on the breaker as `request` does; when the last attempt
   * ends on one, the call rejects with its `IntegrationError`, and `failedResponseOf(error)`
   * (failed-response.ts) gives that answer, body read. The attempt's timeout ends at the
   * response headers: reading (and bounding) the body is the caller's, and so is cancelling it.
   */
  stream(config: HttpRequestConfig): Promise<Response> {
    return this.#call(config, false, true) as Promise<Response>;
  }

  /**
   * One call through its attempts, resolving with the decoded body, or with status, headers and
   * body when `withResponse`. The first attempt goes through the breaker alone, with the failure
   * path attached; retries start only after a failure. A call that succeeds at once (nearly all)
   * so never enters cockatiel's retry loop, whose async steps and objects cost 1–3 % of a local
   * keep-alive round trip.
   */
  #call(config: HttpRequestConfig, withResponse: boolean, rawResponse = false): Promise<unknown> {
    let call: PreparedCall;
    try {
      call = this.#prepare(config, withResponse, rawResponse);
    } catch (error) {
      return Promise.reject(error);
    }
    const breaker = this.#breakers.get(this.name, this.#breakerConfig);
    // The caller's signal must also end a backoff wait or a wait for a half-open probe, which cockatiel cannot interrupt.
    const first = call.signal ? raceAbort(this.#attemptThrough(breaker, call), call.signal) : this.#attemptThrough(breaker, call);
    return first.then(undefined, (error: unknown) => this.#retryOrFail(error, breaker, call));
  }

  /**
   * One attempt through the breaker. The deadline is enforced without a timer of its own (a
   * fifth of the layer's cost when it was one): each attempt's timeout is cut to the time left,
   * each wait too (see the retry policy), and an attempt that would start past it fails with
   * DEADLINE. The breaker is called in its untranslated form, which spares an async step; an
   * open circuit is translated in {@link retryOrFail}.
   */
  #attemptThrough(breaker: CircuitBreaker, call: PreparedCall): Promise<unknown> {
    try {
      // cockatiel's retry sleeps through an abort and then calls again: send nothing then.
      call.signal?.throwIfAborted();
      const remaining = call.deadlineAt - Date.now();
      if (remaining <= 0 || call.deadlineReached) throw new DeadlineExceededError(call.deadline);
      const cutByDeadline = remaining < call.timeout;
      return breaker.executeUntranslated(() => this.#attempt(call, cutByDeadline ? remaining : call.timeout, cutByDeadline), call.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * After a failed first attempt: the retries, then the failure as an `IntegrationError`.
   * Retries are cockatiel's policy, handed the first failure as its own first attempt: it waits,
   * calls onRetry and gives up exactly as if it had made that attempt.
   */
  async #retryOrFail(first: unknown, breaker: CircuitBreaker, call: PreparedCall): Promise<unknown> {
    const { signal } = call;
    try {
      if (!isRetryableAttemptError(first) || signal?.aborted) throw first;
      const retried = this.#retry.execute(({ attempt }) => (attempt === 0 ? Promise.reject(first) : this.#attemptThrough(breaker, call)), signal);
      return await (signal ? raceAbort(retried, signal) : retried);
    } catch (error) {
      if (signal?.aborted) throw error;
      const failure = this.#toIntegrationError(breaker.translate(error), call);
      if (this.#logger.isLevelEnabled?.('warn') ?? true) this.#logFailure(call, failure);
      throw failure;
    }
  }

  #logFailure(call: PreparedCall, failure: IntegrationError): void {
    this.#logger.warn(
      {
        service: this.name,
        method: call.method,
        url: this.#loggedUrl(call),
        attempts: call.attempts,
        code: failure.code,
        kind: failure.kind,
        statusCode: failure.statusCode,
        retryAfterMs: failure.retryAfterMs,
        error: failure.message,
      },
      'provider request failed',
    );
  }

  #prepare(config: HttpRequestConfig, withResponse: boolean, rawResponse: boolean): PreparedCall {
    const method = (config.method ?? 'GET').toUpperCase();
    const url = this.#resolveUrl(config.url);
    const encoded = encodeBody(config.body);
    const ownHeaders = encoded.contentType !== undefined || config.headers !== undefined || config.idempotencyKey !== undefined;
    // Without per-call headers the client's (frozen) set is used as is: nothing below writes to it.
    const headers: Record<string, string> = ownHeaders ? { ...this.#headers } : this.#headers;
    if (encoded.contentType) headers['content-type'] = encoded.contentType;
    if (config.headers) for (const name in config.headers) if (Object.hasOwn(config.headers, name)) headers[name.toLowerCase()] = config.headers[name]!;
    if (config.idempotencyKey !== undefined) headers['idempotency-key'] = config.idempotencyKey;
    const timeoutMs = config.timeout ?? this.#timeout;
    const deadline = config.deadline ?? this.#deadline ?? this.#maxAttempts * timeoutMs + (this.#maxAttempts - 1) * this.#maxDelay;
    return {
      method,
      url,
      headers,
      hasHeaders: this.#hasDefaultHeaders || ownHeaders,
      rawBody: config.body,
      body: encoded.body,
      streamed: encoded.streamed,
      replayable: encoded.replayable,
      replaySafe: IDEMPOTENT_METHODS.has(method) || config.idempotent === true || headers['idempotency-key'] !== undefined,
      timeout: timeoutMs,
      deadline,
      deadlineAt: Date.now() + deadline,
      deadlineReached: false,
      attempts: 0,
      metrics: this.#metricsOf(method),
      withResponse,
      rawResponse,
      signal: config.signal,
    };
  }

  #resolveUrl(url: string): string {
    const base = this.#baseURL;
    let absolute: string;
    // A path with one leading slash (nearly every call) cannot start with a scheme: joined without a regex.
    if (base !== undefined && url.charCodeAt(0) === SLASH && url.charCodeAt(1) !== SLASH) absolute = base + url;
    else if (base === undefined || /^[a-z][a-z\d+.-]*:\/\//i.test(url)) {
      // A malformed URL is a programming error: fail at once rather than retry a TypeError.
      if (!URL.canParse(url)) throw new TypeError(`${this.name}: invalid request URL`);
      return url;
    } else absolute = `${base}/${url.replace(/^\/+/, '')}`;
    // Past a valid base URL and a `/`, the URL parser is in its path state, where no input fails
    // (it percent-encodes): only an invalid base can make the joined URL invalid.
    if (!this.#baseURLValid && !URL.canParse(absolute)) throw new TypeError(`${this.name}: invalid request URL`);
    return absolute;
  }

  #metricsOf(method: string): RequestMetrics {
    let metrics = this.#metrics.get(method);
    if (!metrics) {
      metrics = requestMetrics(this.name, method);
      this.#metrics.set(method, metrics);
    }
    return metrics;
  }

  #loggedUrl(call: PreparedCall): string {
    call.loggedUrl ??= redactUrl(call.url);
    return call.loggedUrl;
  }

  /**
   * One attempt, ended by its timeout (`timeoutMs`) or the caller's signal (`call.signal`).
   * Whatever is not on the way of a success (logging, errors) is in methods of its own: every
   * local of an async function is saved on each await, and this one runs for every call.
   */
  async #attempt(call: PreparedCall, timeoutMs: number, cutByDeadline: boolean): Promise<unknown> {
    const attempt = startFetchAttempt(timeoutMs);
    try {
      call.attempts += 1;
      const debug = this.#logger.isLevelEnabled?.('debug') ?? true;
      if (debug) this.#logRequest(call);
      let response: Response;
      try {
        // Looked up per call so a test (or the seed's jest.spyOn example) can replace it.
        response = await globalThis.fetch(call.url, fetchInit(call, attempt));
      } catch (error) {
        throw this.#transportFailure(call, error, attempt, cutByDeadline, timeoutMs, false);
      }
      if (call.rawResponse) return await this.#rawAnswer(call, response, attempt, cutByDeadline, timeoutMs, debug);
      const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
      const reading = bodyReading(response.status, call.method, contentType);
      let decoded: DecodedBody;
      try {
        decoded = reading === 'text' ? decodeTextBody(await response.text(), contentType) : await readOtherBody(response, reading);
      } catch (error) {
        throw this.#transportFailure(call, error, attempt, cutByDeadline, timeoutMs, true);
      }
      const seconds = attemptSeconds(attempt, timeoutMs);
      call.metrics.answered(response.status, seconds);
      if (debug) this.#logResponse(call, response.status, seconds);
      if (!response.ok) throw this.#statusFailure(call, response, decoded.data);
      if (decoded.invalidJson) throw this.#invalidJson(response.status, decoded.data);
      return call.withResponse ? { status: response.status, headers: response.headers, data: decoded.data } : decoded.data;
    } finally {
      // Not aborted on return: the attempt has read its whole body by then.
      clearAttemptTimeout(attempt);
    }
  }

  /**
   * `stream`'s end of an attempt: the response, body unread, unless its status is one the layer
   * acts on; that body is read (an error page) and kept with the failure, so the connection is
   * free whether another attempt follows or not.
   */
  async #rawAnswer(call: PreparedCall, response: Response, attempt: FetchAttempt, cutByDeadline: boolean, timeoutMs: number, debug: boolean): Promise<Response> {
    const seconds = attemptSeconds(attempt, timeoutMs);
    call.metrics.answered(response.status, seconds);
    if (debug) this.#logResponse(call, response.status, seconds);
    if (response.status < 500 && !RETRYABLE_STATUSES.has(response.status)) return response;
    let failed: Awaited<ReturnType<typeof readFailedResponse>>;
    try {
      failed = await readFailedResponse(response);
    } catch (error) {
      throw this.#transportFailure(call, error, attempt, cutByDeadline, timeoutMs, true);
    }
    throw keepFailedResponse(this.#statusFailure(call, response, undefined), failed);
  }

  #logRequest(call: PreparedCall): void {
    this.#logger.debug(
      { service: this.name, method: call.method, url: this.#loggedUrl(call), attempt: call.attempts, headers: redactHeaders(call.headers), body: describeBody(call.rawBody) },
      'provider request',
    );
  }

  #logResponse(call: PreparedCall, status: number, seconds: number): void {
    this.#logger.debug(
      { service: this.name, method: call.method, url: this.#loggedUrl(call), attempt: call.attempts, status, durationMs: Math.round(seconds * 1000) },
      'provider response',
    );
  }

  #invalidJson(status: number, body: unknown): IntegrationError {
    return new IntegrationError(`${this.name} answered HTTP ${status} with a body that is not valid JSON`, {
      service: this.name,
      code: IntegrationErrorCode.PROVIDER_RESPONSE_INVALID,
      statusCode: status,
      response: body,
      kind: 'INVALID_RESPONSE',
    });
  }

  #transportFailure(
    call: PreparedCall,
    error: unknown,
    attempt: FetchAttempt,
    cutByDeadline: boolean,
    timeoutMs: number,
    responseStarted: boolean,
  ): IntegrationError {
    const seconds = attemptSeconds(attempt, timeoutMs);
    if (call.signal?.aborted) {
      // The caller ended the call; `send` rethrows their reason, not this.
      call.metrics.count('aborted');
      return new IntegrationError(`${this.name} request aborted`, { service: this.name, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE, kind: 'OTHER', cause: error });
    }
    if (cutByDeadline && attempt.expired) {
      // The caller's budget ran out, which says nothing about the provider: not a breaker failure.
      call.metrics.count('timeout');
      return this.#deadlineError(call, error);
    }
    const timedOut = attempt.expired;
    call.metrics.count(timedOut ? 'timeout' : 'network_error');
    call.metrics.duration.observe(seconds);
    const socketCode = socketErrorCode(error);
    const notSent = !responseStarted && !timedOut && socketCode !== undefined && NOT_SENT_ERRORS.has(socketCode);
    return withDeadline(
      new IntegrationError(timedOut ? `${this.name} did not answer within ${call.timeout} ms` : `${this.name} is unreachable (${socketCode ?? 'network error'})`, {
        service: this.name,
        code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
        kind: timedOut ? 'TIMEOUT' : 'NETWORK',
        retryable: call.replayable && (call.replaySafe || notSent),
        providerFault: true,
        cause: error,
      }),
      call,
    );
  }

  #statusFailure(call: PreparedCall, response: Response, data: unknown): IntegrationError {
    const status = response.status;
    const wait = retryAfterMs(response.headers, status);
    const waitAllowed = wait === undefined || (wait <= this.#maxRetryAfterMs && Date.now() + wait < call.deadlineAt);
    const retryable =
      RETRYABLE_STATUSES.has(status) && call.replayable && (call.replaySafe || NOT_PROCESSED_STATUSES.has(status)) && waitAllowed;
    const base = { service: this.name, statusCode: status, response: data, retryAfterMs: wait, kind: 'HTTP_STATUS' as const, retryable };
    if (status === 401) {
      return new IntegrationError(`${this.name} refused the credentials (HTTP 401)`, { ...base, code: IntegrationErrorCode.PROVIDER_AUTH_FAILED, retryable: false });
    }
    if (status === 429) {
      const message = wait === undefined ? `${this.name} rate limit reached (HTTP 429)` : `${this.name} rate limit reached; retry after ${wait} ms`;
      return withDeadline(new IntegrationError(message, { ...base, code: IntegrationErrorCode.RATE_LIMITED }), call);
    }
    if (status >= 500 || status === 408) {
      return withDeadline(new IntegrationError(`${this.name} failed with HTTP ${status}`, { ...base, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE, providerFault: true }), call);
    }
    if (status === 425) {
      return withDeadline(new IntegrationError(`${this.name} answered HTTP 425 (too early)`, { ...base, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE }), call);
    }
    return new IntegrationError(`${this.name} rejected the request (HTTP ${status})`, { ...base, code: IntegrationErrorCode.PROVIDER_REQUEST_REJECTED, retryable: false });
  }

  #deadlineError(call: PreparedCall, cause: unknown): IntegrationError {
    return new IntegrationError(`${this.name} did not complete within the ${call.deadline} ms deadline`, {
      service: this.name,
      code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
      kind: 'DEADLINE',
      cause,
    });
  }

  #toIntegrationError(error: unknown, call: PreparedCall): IntegrationError {
    if (error instanceof IntegrationError) return error;
    if (error instanceof CircuitOpenError) {
      call.metrics.count('circuit_open');
      return new IntegrationError(`${this.name} is unavailable: circuit open, failing fast`, {
        service: this.name,
        code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
        kind: 'CIRCUIT_OPEN',
        retryAfterMs: error.retryAfterMs,
        cause: error,
      });
    }
    if (error instanceof DeadlineExceededError) return this.#deadlineError(call, error);
    return new IntegrationError(`${this.name} request failed`, { service: this.name, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE, kind: 'OTHER', cause: error });
  }
}

/**
 * What `fetch` is given for an attempt: only what differs from its defaults, since each init
 * member costs undici work (an empty headers record alone is ~3 µs of a local round trip).
 */
function fetchInit(call: PreparedCall, attempt: FetchAttempt): RequestInit & { duplex?: 'half' } {
  const init: RequestInit & { duplex?: 'half' } = {};
  attempt.applyTo(init, call.signal);
  if (call.method !== 'GET') init.method = call.method;
  if (call.hasHeaders) init.headers = call.headers;
  if (call.body !== undefined) init.body = call.body;
  if (call.streamed) init.duplex = 'half';
  return init;
}

/** Seconds since the attempt started (its timeout was armed `timeoutMs` before it expires). */
const attemptSeconds = (attempt: FetchAttempt, timeoutMs: number): number => (performance.now() - (attempt.expiresAt - timeoutMs)) / 1000;

/** Attempt errors know whether they are retryable: they were built knowing the method, the idempotency flags and the remaining deadline. */
const isRetryableAttemptError = (error: unknown): boolean => error instanceof IntegrationError && error.retryable;

/** The call a retryable attempt error came from, for the retry policy's waits to respect its deadline. */
const callOf = new WeakMap<IntegrationError, PreparedCall>();

function withDeadline(error: IntegrationError, call: PreparedCall): IntegrationError {
  if (error.retryable) callOf.set(error, call);
  return error;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}

const retryReason = (error: IntegrationError): string =>
  error.kind === 'HTTP_STATUS' && error.statusCode !== undefined ? String(error.statusCode) : error.kind.toLowerCase();
