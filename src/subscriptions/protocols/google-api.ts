import { IntegrationError, IntegrationErrorCode } from '../../providers/integration-error.js';
import type { HttpRequestConfig } from '../../resilience/http-request.js';
import type { ProtocolContext } from '../subscription-protocol.js';
import { bearer } from './provider-error.js';

/** Google's error body: https://cloud.google.com/apis/design/errors#http_mapping and the older `errors[].reason` form. */
export const googleErrorMessage = (body: Record<string, unknown>): unknown => (body.error as { message?: unknown } | undefined)?.message;

/**
 * Calendar and Drive report quota exhaustion as 403 with reason `rateLimitExceeded` or
 * `userRateLimitExceeded` (https://developers.google.com/workspace/calendar/api/guides/errors#403_rate_limit_exceeded),
 * not only as 429: those are rate limits, not refusals.
 */
function isGoogleRateLimit(error: unknown): boolean {
  if (!(error instanceof IntegrationError) || error.statusCode !== 403 || error.response === null || typeof error.response !== 'object') return false;
  const reasons = ((error.response as { error?: { errors?: { reason?: unknown }[] } }).error?.errors ?? []).map((entry) => entry.reason);
  return reasons.some((reason) => reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded');
}

/** One authorized request to a Google API; a 403 rate limit is raised as the rate limit it is. */
export function googleRequest<T>(context: ProtocolContext, request: Omit<HttpRequestConfig, 'headers'>): Promise<T> {
  return context.call(async (accessToken) => {
    try {
      return (await context.http.send<T>({ ...request, headers: bearer(accessToken) })).data;
    } catch (error) {
      if (!isGoogleRateLimit(error)) throw error;
      const limited = error as IntegrationError;
      throw new IntegrationError('google rate limit reached (HTTP 403 rateLimitExceeded)', {
        service: 'google',
        code: IntegrationErrorCode.RATE_LIMITED,
        statusCode: 403,
        response: limited.response,
        retryAfterMs: limited.retryAfterMs,
        cause: error,
      });
    }
  });
}
