import { CircuitOpenError } from './circuit-open-error.js';
import { DeadlineExceededError } from './deadline-exceeded-error.js';
import { attemptSeconds, type ExpiringAttempt } from './attempt-timeouts.js';
import { IntegrationError, IntegrationErrorCode } from './integration-error.js';
import type { PreparedCall } from './prepared-call.js';
import { describeProviderError, summarizeProviderError, type ProviderErrorReader, type ProviderErrorSummary } from './provider-error.js';
import { retryAfterMs } from './retry-after.js';

/** What a failure is told of the provider's answer: a `Response`, or a Node response's status and headers. */
export interface AnswerHead {
  status: number;
  /** A 2xx status. */
  ok: boolean;
  headers: Pick<Headers, 'get'>;
}

/** Statuses worth another attempt (RFC 9110 / 6585 / 8470 semantics). */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Whether the layer acts on an answer with this status (retries it, counts it on the breaker) instead of handing it back. */
export const actsOnStatus = (status: number): boolean => status >= 500 || RETRYABLE_STATUSES.has(status);
/**
 * Statuses that say the request was not processed (timed out while receiving it, too early,
 * rate limited before processing), so even a POST may be sent again.
 */
const NOT_PROCESSED_STATUSES = new Set([408, 425, 429]);
/** A bearer token lacking a scope the request needs says so in its challenge (RFC 6750 §3.1). */
const INSUFFICIENT_SCOPE = /\berror\s*=\s*"?insufficient_scope\b/i;
/** Socket errors raised before a byte of the request left: safe to resend anything. */
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

/** The `code` of a socket error, wherever undici put it in the cause chain. */
function socketErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * The `IntegrationError`s a client's calls fail with: each knows its code, its kind, whether
 * another attempt may help and is safe to send (from the method, the idempotency flags and the
 * deadline left), and whether it counts against the provider's breaker.
 */
export class CallFailures {
  /**
   * @param name the client's name: the errors' `service`
   * @param maxRetryAfterMs the longest Retry-After the client waits for
   * @param readError reads the provider's error from a failed answer's body
   * @param failsWith2xx the provider fails some requests with a 2xx answer (Slack's `ok: false`):
   *   `readError` reads those too ({@link ofOkAnswer})
   */
  constructor(
    private readonly name: string,
    private readonly maxRetryAfterMs: number,
    private readonly readError: ProviderErrorReader,
    readonly failsWith2xx: boolean,
  ) {}

  /** A response whose content type says JSON but whose body does not parse. */
  invalidJson(status: number, body: unknown): IntegrationError {
    return new IntegrationError(`${this.name} answered HTTP ${status} with a body that is not valid JSON`, {
      service: this.name,
      code: IntegrationErrorCode.PROVIDER_RESPONSE_INVALID,
      statusCode: status,
      response: body,
      kind: 'INVALID_RESPONSE',
    });
  }

  /** The request or the body's reading failed: the caller's abort, the deadline, the attempt's timeout or the network. */
  transport(call: PreparedCall, error: unknown, attempt: ExpiringAttempt, cutByDeadline: boolean, timeoutMs: number, responseStarted: boolean): IntegrationError {
    const seconds = attemptSeconds(attempt, timeoutMs);
    if (call.signal?.aborted) {
      // The caller ended the call; `send` rethrows their reason, not this.
      call.metrics.count('aborted');
      return new IntegrationError(`${this.name} request aborted`, { service: this.name, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE, kind: 'OTHER', cause: error });
    }
    if (cutByDeadline && attempt.expired) {
      // The caller's budget ran out, which says nothing about the provider: not a breaker failure.
      call.metrics.count('timeout');
      return this.deadline(call, error);
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

  /**
   * A response that is not 2xx. What the provider says in its body may change what the status
   * alone would mean: a 403 it calls a rate limit is one (waited for and retried like a 429),
   * and a 403 counts as a refusal of the credentials' permissions only when it says so.
   */
  status(call: PreparedCall, response: AnswerHead, data: unknown): IntegrationError {
    const report = this.#read(data, response.status);
    const permissionDenied = report?.permissionDenied === true || (response.status === 403 && INSUFFICIENT_SCOPE.test(response.headers.get('www-authenticate') ?? ''));
    return this.#failure(call, response, data, report?.status ?? response.status, permissionDenied, summarizeProviderError(report));
  }

  /**
   * A 2xx answer of a provider that fails requests with one ({@link failsWith2xx}): its failure
   * when the body says it is one, else `undefined`. The error keeps the provider's own code,
   * the only one such an answer has, except for a rate limit, which is `RATE_LIMITED` like any
   * other; its `statusCode` is the status the provider's condition has elsewhere.
   */
  ofOkAnswer(call: PreparedCall, response: AnswerHead, data: unknown): IntegrationError | undefined {
    const report = this.#read(data, response.status);
    if (report === undefined) return undefined;
    const status = report.status !== undefined && report.status >= 300 ? report.status : 400;
    return this.#failure(call, response, data, status, report.permissionDenied === true, summarizeProviderError(report), report.code);
  }

  /** The reader's report; a reader that throws says nothing (the failure is reported from its status). */
  #read(data: unknown, status: number): ReturnType<ProviderErrorReader> {
    try {
      return this.readError(data, status);
    } catch {
      return undefined;
    }
  }

  /**
   * The error for an answer that failed with `status` (the answer's own, or what the provider
   * says it stands for). `ownCode`: the provider's code, for an answer whose HTTP status has none.
   */
  #failure(
    call: PreparedCall,
    response: AnswerHead,
    data: unknown,
    status: number,
    permissionDenied: boolean,
    providerError: ProviderErrorSummary | undefined,
    ownCode?: string,
  ): IntegrationError {
    const wait = retryAfterMs(response.headers, status);
    const waitAllowed = wait === undefined || (wait <= this.maxRetryAfterMs && Date.now() + wait < call.deadlineAt);
    const retryable =
      RETRYABLE_STATUSES.has(status) && call.replayable && (call.replaySafe || NOT_PROCESSED_STATUSES.has(status)) && waitAllowed;
    const statusCode = response.ok ? status : response.status;
    const base = { service: this.name, statusCode, response: data, retryAfterMs: wait, kind: 'HTTP_STATUS' as const, retryable, providerError };
    const said = providerError === undefined ? '' : `: ${describeProviderError(providerError)}`;
    const http = `HTTP ${response.status}`;
    if (status === 429) {
      const waited = wait === undefined ? '' : `; retry after ${wait} ms`;
      return withDeadline(new IntegrationError(`${this.name} rate limit reached (${http})${waited}${said}`, { ...base, code: IntegrationErrorCode.RATE_LIMITED }), call);
    }
    if (status === 401) {
      return new IntegrationError(`${this.name} refused the credentials (${http})${said}`, {
        ...base,
        code: ownCode ?? IntegrationErrorCode.PROVIDER_AUTH_FAILED,
        retryable: false,
      });
    }
    if (status >= 500 || status === 408) {
      return withDeadline(
        new IntegrationError(`${this.name} failed with ${http}${said}`, { ...base, code: ownCode ?? IntegrationErrorCode.PROVIDER_UNAVAILABLE, providerFault: true }),
        call,
      );
    }
    if (status === 425) {
      return withDeadline(new IntegrationError(`${this.name} answered ${http} (too early)${said}`, { ...base, code: ownCode ?? IntegrationErrorCode.PROVIDER_UNAVAILABLE }), call);
    }
    if (status === 403 && permissionDenied) {
      return new IntegrationError(`${this.name} refused a permission the credentials lack (${http})${said}`, {
        ...base,
        code: ownCode ?? IntegrationErrorCode.PROVIDER_PERMISSION_DENIED,
        retryable: false,
      });
    }
    return new IntegrationError(`${this.name} rejected the request (${http})${said}`, {
      ...base,
      code: ownCode ?? IntegrationErrorCode.PROVIDER_REQUEST_REJECTED,
      retryable: false,
    });
  }

  /** The call's overall budget ran out. */
  deadline(call: PreparedCall, cause: unknown): IntegrationError {
    return new IntegrationError(`${this.name} did not complete within the ${call.deadline} ms deadline`, {
      service: this.name,
      code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
      kind: 'DEADLINE',
      cause,
    });
  }

  /** What the call finally fails with, whatever its policies threw. */
  of(error: unknown, call: PreparedCall): IntegrationError {
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
    if (error instanceof DeadlineExceededError) return this.deadline(call, error);
    return new IntegrationError(`${this.name} request failed`, { service: this.name, code: IntegrationErrorCode.PROVIDER_UNAVAILABLE, kind: 'OTHER', cause: error });
  }
}

/** Attempt errors know whether they are retryable: they were built knowing the method, the idempotency flags and the remaining deadline. */
export const isRetryableAttemptError = (error: unknown): boolean => error instanceof IntegrationError && error.retryable;

/** The call a retryable attempt error came from, for the retry policy's waits to respect its deadline. */
const callOf = new WeakMap<IntegrationError, PreparedCall>();

/** The call a retryable failure of {@link CallFailures} came from. */
export const failedCall = (failure: unknown): PreparedCall | undefined => (failure instanceof IntegrationError ? callOf.get(failure) : undefined);

function withDeadline(error: IntegrationError, call: PreparedCall): IntegrationError {
  if (error.retryable) callOf.set(error, call);
  return error;
}

/** The `reason` label of a retry in the metrics: the status, or the kind of failure. */
export const retryReason = (error: IntegrationError): string =>
  error.kind === 'HTTP_STATUS' && error.statusCode !== undefined ? String(error.statusCode) : error.kind.toLowerCase();
