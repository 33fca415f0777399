import type { ProviderErrorSummary } from './provider-error.js';

/**
 * Stable codes of the resilience layer's failures. Provider modules may use their own codes
 * (Slack's `error` strings, `unexpected_response`); these are the ones the layer itself sets.
 * The provider's own code and message, when it gave them, are on `providerError`.
 *
 * - `PROVIDER_UNAVAILABLE`: the provider could not be reached or failed on its side: circuit
 *   open (no call made), connection refused/reset, per-attempt timeout, overall deadline,
 *   HTTP 5xx or 408. Maps to the GraphQL code of the same name.
 * - `RATE_LIMITED`: a rate limit that outlived the retries, or whose wait (`retryAfterMs`) is
 *   longer than the client's `maxRetryAfterMs` or the call's remaining deadline: HTTP 429, or
 *   an answer the provider says is one (Google's 403 `rateLimitExceeded`, Slack's `ok: false`
 *   `ratelimited`). Maps to `RATE_LIMITED`.
 * - `PROVIDER_AUTH_FAILED`: HTTP 401, the provider refused the credentials. The token layer
 *   refreshes and retries once on it (see {@link isProviderAuthError}).
 * - `PROVIDER_PERMISSION_DENIED`: a 403 the provider says is about what the credentials allow
 *   (Google's `insufficientPermissions`, Graph's `Authorization_RequestDenied`): a scope not
 *   granted or an administrator's consent missing. A refresh does not help; reconnecting with
 *   that consent does.
 * - `PROVIDER_REQUEST_REJECTED`: any other 4xx: the request itself is wrong (or forbidden);
 *   retrying will not help and it does not count against the provider's circuit breaker.
 * - `PROVIDER_RESPONSE_INVALID`: a 2xx whose body says it is JSON but does not parse.
 */
export const IntegrationErrorCode = {
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  PROVIDER_AUTH_FAILED: 'PROVIDER_AUTH_FAILED',
  PROVIDER_PERMISSION_DENIED: 'PROVIDER_PERMISSION_DENIED',
  PROVIDER_REQUEST_REJECTED: 'PROVIDER_REQUEST_REJECTED',
  PROVIDER_RESPONSE_INVALID: 'PROVIDER_RESPONSE_INVALID',
} as const;

export type IntegrationErrorCode = (typeof IntegrationErrorCode)[keyof typeof IntegrationErrorCode];

/**
 * What went wrong, finer than `code` (logs, metrics, tests): `CIRCUIT_OPEN` means no request
 * was sent at all; `NETWORK` and `TIMEOUT` carry no status code; `DEADLINE` is the call's
 * overall budget running out across attempts.
 */
export type IntegrationFailureKind = 'HTTP_STATUS' | 'NETWORK' | 'TIMEOUT' | 'DEADLINE' | 'CIRCUIT_OPEN' | 'INVALID_RESPONSE' | 'OTHER';

export interface IntegrationErrorOptions {
  /** The provider / service name (`google`, `slack`, a host name for ad-hoc clients). */
  service: string;
  /** A stable code: one of {@link IntegrationErrorCode}, or a provider's own (e.g. Slack's `error`). */
  code: IntegrationErrorCode | (string & {});
  statusCode?: number;
  /** The parsed response body, when there was one. */
  response?: unknown;
  /** The provider's own error code and message, cleaned to be logged and shown (see `summarizeProviderError`). */
  providerError?: ProviderErrorSummary | undefined;
  /** How long the provider asked us to wait (Retry-After or its rate-limit headers), in ms. */
  retryAfterMs?: number;
  /** @default 'HTTP_STATUS' when `statusCode` is set, else 'OTHER' */
  kind?: IntegrationFailureKind;
  /** Whether another attempt of the same call may succeed and is safe to send. @default false */
  retryable?: boolean;
  /** Whether the failure is the provider's (counts against its circuit breaker). @default false */
  providerFault?: boolean;
  cause?: unknown;
}

/**
 * A failed call to an external provider. `message` never holds a token, a body or a query
 * string: it is safe to log and to show; it ends with the provider's own code and message when
 * it gave them (`providerError`, bounded, secrets masked). `response` is kept off the enumerable
 * properties so a logger serializing the error does not dump the provider's body.
 */
export class IntegrationError extends Error {
  readonly service: string;
  readonly code: IntegrationErrorCode | (string & {});
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly kind: IntegrationFailureKind;
  readonly retryable: boolean;
  readonly providerFault: boolean;
  readonly providerError: ProviderErrorSummary | undefined;
  declare readonly response: unknown;

  constructor(message: string, options: IntegrationErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IntegrationError';
    this.service = options.service;
    this.code = options.code;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.kind = options.kind ?? (options.statusCode === undefined ? 'OTHER' : 'HTTP_STATUS');
    this.retryable = options.retryable ?? false;
    this.providerFault = options.providerFault ?? false;
    this.providerError = options.providerError;
    Object.defineProperty(this, 'response', { value: options.response, enumerable: false, writable: false });
  }
}

export const isIntegrationError = (error: unknown): error is IntegrationError => error instanceof IntegrationError;

/**
 * True when the provider refused the access token itself (HTTP 401): the caller should refresh
 * the token and try once more. A 403 is not included: it means "not allowed", which a fresh
 * token does not change.
 */
export const isProviderAuthError = (error: unknown): error is IntegrationError =>
  error instanceof IntegrationError && (error.code === IntegrationErrorCode.PROVIDER_AUTH_FAILED || error.statusCode === 401);
