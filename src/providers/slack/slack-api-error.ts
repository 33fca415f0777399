import { IntegrationError } from '../integration-error.js';

// Slack reports failures with HTTP 200 and `ok: false`. The error gets the HTTP status the
// condition has elsewhere, so callers (refresh on 401, health checks, breakers) treat Slack like
// any other provider. Error names: https://docs.slack.dev/apis/web-api/#errors
const TOKEN_REJECTED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
const NOT_PERMITTED = new Set(['missing_scope', 'not_allowed_token_type', 'no_permission', 'ekm_access_denied', 'access_denied']);
const SLACK_FAULT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const statusFor = (error: string): number => {
  if (TOKEN_REJECTED.has(error)) return 401;
  if (NOT_PERMITTED.has(error)) return 403;
  if (error === 'ratelimited') return 429;
  if (SLACK_FAULT.has(error)) return 503;
  return 400;
};

/**
 * The `IntegrationError` for an `ok: false` answer: `code` is Slack's `error` string
 * (`channel_not_found`, `invalid_auth`, …), `response` the whole answer (it holds no token).
 */
export function slackApiError(envelope: { error?: string | undefined; needed?: string | undefined }): IntegrationError {
  const error = envelope.error ?? 'unknown_error';
  const needed = envelope.needed ? ` (needs scope ${envelope.needed})` : '';
  return new IntegrationError(`Slack API error: ${error}${needed}`, {
    service: 'slack',
    code: error,
    statusCode: statusFor(error),
    response: envelope,
    providerFault: SLACK_FAULT.has(error),
  });
}
