import { Readable } from 'node:stream';
import type { RetryPolicy } from 'cockatiel';
import { raceAbort } from './abort.js';
import { attemptSeconds, clearAttemptTimeout, startAttemptTimeout } from './attempt-timeouts.js';
import { actsOnStatus, CallFailures, failedCall, isRetryableAttemptError, retryReason, type AnswerHead } from './call-failures.js';
import { CircuitBreakerPresets, type CircuitBreaker, type CircuitBreakerConfig, type ProviderHealth } from './circuit-breaker.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';
import { keepFailedResponse, readFailedResponse } from './failed-response.js';
import type { HttpRequestConfig, HttpResponse, HttpRetryConfig } from './http-request.js';
import { IntegrationError } from './integration-error.js';
import { providerRetries } from './metrics.js';
import { CallSettings, fetchInit, loggedUrl, type PreparedCall } from './prepared-call.js';
import { providerBreakers, type ProviderBreakerRegistry } from './provider-breakers.js';
import { readCommonErrorShapes, type ProviderErrorReader } from './provider-error.js';
import { describeBody, redactHeaders } from './redaction.js';
import { silentLogger, type ResilienceLogger } from './resilience-logger.js';
import { bodyReading, decodeTextBody, readOtherBody, type DecodedBody } from './response-body.js';
import { createRetryPolicy, resolveRetryConfig, RetryPresets } from './retry.js';
import { startFetchAttempt } from './start-fetch-attempt.js';
import { StreamAttempt, type NodeRequestBody, type StreamedResponse } from './stream-attempt.js';

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
  /**
   * Reads the provider's own error code and message from a failed answer, and what it says the
   * failure is where the status does not (a rate limit answered 403). Runs on failed answers
   * only. What it reads ends, cleaned and bounded, in the error's message and `providerError`.
   * @default {@link readCommonErrorShapes}
   */
  readError?: ProviderErrorReader;
  /**
   * The provider fails some requests with a 2xx answer and says so in the body (Slack's
   * `ok: false`): `readError` reads every 2xx answer too, and one it reports on fails the call
   * like any failed answer (a rate limit is waited for and retried).
   * @default false
   */
  failsWith2xx?: boolean;
  /**
   * `stream()`: an answer body whose provider sends nothing for this long while it is read
   * fails, and its connection is closed. Time the reader holds the body paused (its own
   * consumer is slow) does not count, so a large download to a slow reader is not cut.
   * @default no limit
   */
  streamIdleTimeout?: number;
  /** @default a silent logger */
  logger?: ResilienceLogger;
  /** @default the process registry ({@link providerBreakers}) */
  breakers?: ProviderBreakerRegistry;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

/**
 * The resilient client every provider call goes through: per provider one circuit breaker
 * (from the registry), retries with backoff and Retry-After, a timeout per attempt, an overall
 * deadline, the caller's AbortSignal, metrics and redacted logs. Policies are cockatiel's,
 * composed as retry(breaker(attempt)): each attempt counts on the breaker, and an open
 * breaker stops the retries. Each attempt has its timeout, which ends the request in the
 * transport (start-fetch-attempt.ts, dispatcher-attempt.ts) from one shared timer
 * (attempt-timeouts.ts), rather than cockatiel's timeout policy with its derived controller,
 * listeners and timer per attempt. A call is prepared from the client's settings
 * (prepared-call.ts); what it fails with is decided in call-failures.ts.
 */
export class ResilientHttpClient {
  readonly name: string;
  readonly #settings: CallSettings;
  readonly #failures: CallFailures;
  readonly #breakerConfig: CircuitBreakerConfig;
  readonly #breakers: ProviderBreakerRegistry;
  readonly #logger: ResilienceLogger;
  readonly #retry: RetryPolicy;
  readonly #streamIdleTimeoutMs: number | undefined;

  constructor(options: ResilientHttpClientOptions) {
    this.name = options.name;
    const retry = resolveRetryConfig({ ...RetryPresets.network, ...options.retry });
    this.#settings = new CallSettings({
      name: options.name,
      baseURL: options.baseURL,
      headers: options.headers,
      timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
      deadline: options.deadline,
      maxAttempts: retry.maxAttempts,
      maxDelay: retry.maxDelay,
    });
    this.#failures = new CallFailures(
      options.name,
      options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
      options.readError ?? readCommonErrorShapes,
      options.failsWith2xx ?? false,
    );
    this.#breakerConfig = options.circuitBreaker ?? CircuitBreakerPresets.standard;
    this.#breakers = options.breakers ?? providerBreakers;
    this.#logger = options.logger ?? silentLogger;
    this.#streamIdleTimeoutMs = options.streamIdleTimeout;
    this.#retry = createRetryPolicy(
      retry,
      isRetryableAttemptError,
      // Never sleep past the call's deadline: a wait cut at it ends the call with DEADLINE rather
      // than waking a hair early (timers run on the loop's cached clock) to send a doomed attempt.
      (delay, failure) => {
        const call = failedCall(failure);
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
   * Sends the request on undici's dispatcher (stream-attempt.ts: redirects followed within the
   * provider's origin only) and resolves with the provider's response as it arrives, body unread
   * and not decoded, whatever its status, except the statuses this layer acts on: 5xx, 408, 425
   * and 429 are retried when that is safe and count on the breaker as `request` does; when the
   * last attempt ends on one, the call rejects with its `IntegrationError`, and
   * `failedResponseOf(error)` (failed-response.ts) gives that answer, body read. The attempt's
   * timeout ends at the response headers: reading the body is the caller's (a provider that stops
   * sending it fails it after `streamIdleTimeout`), and so is destroying it. The body may be a
   * string, bytes, or a Node or web stream (sent once).
   */
  stream(config: HttpRequestConfig & { body?: NodeRequestBody | undefined }): Promise<StreamedResponse> {
    const { body } = config;
    if (!(body === undefined || typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable || body instanceof ReadableStream)) {
      return Promise.reject(new TypeError(`${this.name}: stream() sends a string, bytes or a stream`));
    }
    return this.#call(config, false, true) as Promise<StreamedResponse>;
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
      call = this.#settings.prepare(config, withResponse, rawResponse);
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
      const timeoutMs = cutByDeadline ? remaining : call.timeout;
      return breaker.executeUntranslated(
        () => (call.rawResponse ? this.#streamAttempt(call, timeoutMs, cutByDeadline) : this.#attempt(call, timeoutMs, cutByDeadline)),
        call.signal,
      );
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
      const failure = this.#failures.of(breaker.translate(error), call);
      if (this.#logger.isLevelEnabled?.('warn') ?? true) this.#logFailure(call, failure);
      throw failure;
    }
  }

  #logFailure(call: PreparedCall, failure: IntegrationError): void {
    this.#logger.warn(
      {
        service: this.name,
        method: call.method,
        url: loggedUrl(call),
        attempts: call.attempts,
        code: failure.code,
        kind: failure.kind,
        statusCode: failure.statusCode,
        retryAfterMs: failure.retryAfterMs,
        providerError: failure.providerError,
        error: failure.message,
      },
      'provider request failed',
    );
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
        throw this.#failures.transport(call, error, attempt, cutByDeadline, timeoutMs, false);
      }
      const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
      const reading = bodyReading(response.status, call.method, contentType);
      let decoded: DecodedBody;
      try {
        decoded = reading === 'text' ? decodeTextBody(await response.text(), contentType) : await readOtherBody(response, reading);
      } catch (error) {
        throw this.#failures.transport(call, error, attempt, cutByDeadline, timeoutMs, true);
      }
      const seconds = attemptSeconds(attempt, timeoutMs);
      call.metrics.answered(response.status, seconds);
      if (debug) this.#logResponse(call, response.status, seconds);
      if (!response.ok) throw this.#failures.status(call, response, decoded.data);
      if (decoded.invalidJson) throw this.#failures.invalidJson(response.status, decoded.data);
      if (this.#failures.failsWith2xx) this.#failIfOkAnswerFailed(call, response, decoded.data);
      return call.withResponse ? { status: response.status, headers: response.headers, data: decoded.data } : decoded.data;
    } finally {
      // Not aborted on return: the attempt has read its whole body by then.
      clearAttemptTimeout(attempt);
    }
  }

  /**
   * One attempt of `stream`: the response, body unread, unless its status is one the layer acts
   * on; that body is read (an error page) and kept with the failure, so the connection is free
   * whether another attempt follows or not.
   */
  async #streamAttempt(call: PreparedCall, timeoutMs: number, cutByDeadline: boolean): Promise<StreamedResponse> {
    const attempt = new StreamAttempt(performance.now() + timeoutMs);
    startAttemptTimeout(attempt);
    try {
      call.attempts += 1;
      const debug = this.#logger.isLevelEnabled?.('debug') ?? true;
      if (debug) this.#logRequest(call);
      let response: StreamedResponse;
      try {
        response = await attempt.send({
          method: call.method,
          url: call.url,
          headers: call.headers,
          body: call.rawBody as NodeRequestBody | undefined,
          signal: call.signal,
          bodyIdleTimeoutMs: this.#streamIdleTimeoutMs,
        });
      } catch (error) {
        throw this.#failures.transport(call, error, attempt, cutByDeadline, timeoutMs, false);
      }
      const status = response.statusCode;
      const seconds = attemptSeconds(attempt, timeoutMs);
      call.metrics.answered(status, seconds);
      if (debug) this.#logResponse(call, status, seconds);
      if (!actsOnStatus(status)) return response;
      let failed: Awaited<ReturnType<typeof readFailedResponse>>;
      try {
        failed = await readFailedResponse(response);
      } catch (error) {
        throw this.#failures.transport(call, error, attempt, cutByDeadline, timeoutMs, true);
      }
      const head: AnswerHead = { status, ok: false, headers: { get: (name) => headerValue(response, name) } };
      const contentType = (headerValue(response, 'content-type') ?? '').toLowerCase();
      const data = failed ? decodeTextBody(failed.body.toString('utf8'), contentType).data : undefined;
      throw keepFailedResponse(this.#failures.status(call, head, data), failed);
    } finally {
      clearAttemptTimeout(attempt);
    }
  }

  #failIfOkAnswerFailed(call: PreparedCall, response: Response, data: unknown): void {
    const failure = this.#failures.ofOkAnswer(call, response, data);
    if (failure) throw failure;
  }

  #logRequest(call: PreparedCall): void {
    this.#logger.debug(
      { service: this.name, method: call.method, url: loggedUrl(call), attempt: call.attempts, headers: redactHeaders(call.headers), body: describeBody(call.rawBody) },
      'provider request',
    );
  }

  #logResponse(call: PreparedCall, status: number, seconds: number): void {
    this.#logger.debug(
      { service: this.name, method: call.method, url: loggedUrl(call), attempt: call.attempts, status, durationMs: Math.round(seconds * 1000) },
      'provider response',
    );
  }
}

/** A header of a streamed response as `Headers.get` gives it: repeated values joined. */
function headerValue(response: StreamedResponse, name: string): string | null {
  const value = response.headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
