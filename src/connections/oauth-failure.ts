import { AppError, ErrorCode } from '../errors/app-error.js';
import type { OAuthError } from '../providers/oauth/oauth-error.js';

/**
 * The contract's error for a failed OAuth exchange. Transient failures keep their own codes so
 * the caller knows trying again later can work; everything else is OAUTH_EXCHANGE_FAILED.
 */
export function oauthFailureToAppError(error: OAuthError, providerName: string): AppError {
  const details = { provider: error.providerId, ...(error.details.providerError ? { providerError: error.details.providerError } : {}) };
  switch (error.kind) {
    case 'rate_limited':
      return new AppError(ErrorCode.RATE_LIMITED, `${providerName} is rate-limiting us; try again shortly`, {
        ...details,
        ...(error.details.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.details.retryAfterSeconds }),
      });
    case 'unavailable':
      return new AppError(ErrorCode.PROVIDER_UNAVAILABLE, `${providerName} is unavailable; try again shortly`, details);
    case 'access_denied':
      return new AppError(ErrorCode.OAUTH_EXCHANGE_FAILED, `Access was declined at ${providerName}; nothing was connected`, details);
    default:
      return new AppError(ErrorCode.OAUTH_EXCHANGE_FAILED, `Connecting ${providerName} failed: ${error.message}`, details);
  }
}
