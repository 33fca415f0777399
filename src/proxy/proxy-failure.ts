import { AppError, ErrorCode } from '../errors/app-error.js';
import { IntegrationError, IntegrationErrorCode } from '../providers/integration-error.js';

/** A 429 whose provider named no wait: callers still get a Retry-After, this one. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000)));

/**
 * What a proxied call that got no answer to pass on becomes for its caller: an `AppError` with a
 * contract code (the HTTP adapter turns codes into statuses), in our own words, never the
 * provider's. Errors that are not the proxy's to translate (the caller's own abort) come back as
 * they are.
 */
export function proxyFailure(error: unknown): unknown {
  if (error instanceof AppError) {
    // From the token manager: a refresh the provider refused marked the integration for
    // reauthorization, or it stopped being connected between the read and the refresh.
    const lostConnection =
      (error.code === ErrorCode.OAUTH_EXCHANGE_FAILED && error.details?.needsReauthorization === true) ||
      (error.code === ErrorCode.BAD_USER_INPUT && error.details?.integrationId !== undefined);
    // A refresh the provider rate-limited: callers get a Retry-After like any 429.
    if (error.code === ErrorCode.RATE_LIMITED && typeof error.details?.retryAfterSeconds !== 'number') {
      return new AppError(error.code, error.message, { ...error.details, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS });
    }
    if (!lostConnection) return error;
    return new AppError(ErrorCode.INTEGRATION_NOT_CONNECTED, error.message, {
      integrationId: error.details?.integrationId,
      status: error.details?.needsReauthorization === true ? 'ERROR' : 'DISCONNECTED',
      needsReauthorization: error.details?.needsReauthorization === true,
    });
  }
  if (!(error instanceof IntegrationError)) return error;
  const provider = error.service;
  if (error.code === IntegrationErrorCode.RATE_LIMITED) {
    return new AppError(ErrorCode.RATE_LIMITED, `${provider} is rate limiting requests; try again later`, {
      provider,
      retryAfterSeconds: seconds(error.retryAfterMs) ?? DEFAULT_RETRY_AFTER_SECONDS,
    });
  }
  if (error.kind === 'CIRCUIT_OPEN') {
    return new AppError(ErrorCode.PROVIDER_UNAVAILABLE, `${provider} is unavailable (recent calls failed); try again later`, {
      provider,
      circuitOpen: true,
      ...(error.retryAfterMs !== undefined && { retryAfterSeconds: seconds(error.retryAfterMs) }),
    });
  }
  const what =
    error.kind === 'TIMEOUT' || error.kind === 'DEADLINE'
      ? 'did not answer in time'
      : error.kind === 'NETWORK'
        ? 'could not be reached'
        : error.kind === 'HTTP_STATUS'
          ? `failed (HTTP ${error.statusCode})`
          : 'failed';
  return new AppError(ErrorCode.PROVIDER_UNAVAILABLE, `${provider} ${what}; try again later`, { provider });
}
