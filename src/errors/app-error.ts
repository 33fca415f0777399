/**
 * The service's stable error codes. They are the GraphQL `extensions.code` values of the
 * public contract (service.md); `src/graphql/format-error.ts` is the one place that maps them.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  PROVIDER_NOT_CONFIGURED: 'PROVIDER_NOT_CONFIGURED',
  OAUTH_STATE_INVALID: 'OAUTH_STATE_INVALID',
  OAUTH_EXCHANGE_FAILED: 'OAUTH_EXCHANGE_FAILED',
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The integration exists but is not CONNECTED (disconnected, or in ERROR): its tokens are not used. */
  INTEGRATION_NOT_CONNECTED: 'INTEGRATION_NOT_CONNECTED',
  /** A request body over the configured limit (the provider proxy's `PROXY_MAX_REQUEST_BODY_MB`). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error whose message is safe to show to the caller. Services throw it; transports
 * (GraphQL, the OAuth callback route) translate `code` into their own vocabulary.
 * Never put a token, secret or upstream body into `message`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Structured, non-secret details for the caller (e.g. `retryAfterSeconds`). */
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
