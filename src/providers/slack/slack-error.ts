import { readCommonErrorShapes, type ProviderErrorReader } from '../../resilience/provider-error.js';

// Slack fails requests with HTTP 200 and `ok: false` (https://docs.slack.dev/apis/web-api/#responses).
// Each error gets the HTTP status its condition has elsewhere, so callers (refresh on 401, health
// checks, breakers, retries) treat Slack like any other provider. Error names:
// https://docs.slack.dev/apis/web-api/#errors
const TOKEN_REJECTED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
const NOT_PERMITTED = new Set(['missing_scope', 'not_allowed_token_type', 'no_permission', 'ekm_access_denied', 'access_denied']);
const SLACK_FAULT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
// `ratelimited` ("Refer to the Retry-After header for when to retry", any method) and
// `rate_limited` ("Application has posted too many messages", chat.* methods):
// https://docs.slack.dev/apis/web-api/rate-limits
const RATE_LIMITED = new Set(['ratelimited', 'rate_limited']);

const statusFor = (error: string): number => {
  if (TOKEN_REJECTED.has(error)) return 401;
  if (NOT_PERMITTED.has(error)) return 403;
  if (RATE_LIMITED.has(error)) return 429;
  if (SLACK_FAULT.has(error)) return 503;
  return 400;
};

/**
 * Slack's `ok: false` answers, whatever their HTTP status: the error keeps Slack's `error` as its
 * code (`channel_not_found`, `invalid_auth`, …), except a rate limit, which is `RATE_LIMITED` and
 * waited for like a 429. A missing scope names the one needed. Any other failed answer (the
 * upload host's, say) is read for the usual shapes; a 2xx without `ok: false` is no failure.
 */
export const readSlackError: ProviderErrorReader = (body, status) => {
  if (typeof body !== 'object' || body === null || (body as { ok?: unknown }).ok !== false) {
    return status >= 300 ? readCommonErrorShapes(body, status) : undefined;
  }
  const { error, needed } = body as { error?: unknown; needed?: unknown };
  const code = typeof error === 'string' && error !== '' ? error : 'unknown_error';
  return { code, status: statusFor(code), ...(typeof needed === 'string' && needed !== '' && { message: `needs scope ${needed}` }) };
};
