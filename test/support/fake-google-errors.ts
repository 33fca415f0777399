import type { FakeResponse } from './fake-provider-server.js';

/**
 * Google's JSON error body with a reason, as the Calendar, Drive and Gmail APIs answer it:
 * https://developers.google.com/workspace/calendar/api/guides/errors
 */
export function googleApiError(code: number, reason: string, message: string, domain = 'global'): FakeResponse {
  return { status: code, json: { error: { errors: [{ domain, reason, message }], code, message } } };
}

/**
 * Google's rate-limit answer: 403 `rateLimitExceeded` or 429 `rateLimitExceeded`, domain
 * `usageLimits`, and no Retry-After (Google asks for exponential backoff instead):
 * https://developers.google.com/workspace/calendar/api/guides/errors#403_rate_limit_exceeded
 */
export function googleRateLimited(status: 403 | 429): FakeResponse {
  return googleApiError(status, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits');
}
