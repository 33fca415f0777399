import { readCommonErrorShapes, type ProviderErrorReader } from '../../resilience/provider-error.js';

// Google's JSON errors carry a `reason` per error (`errors[]`, the Calendar, Drive and Gmail v3
// shape) and, in newer answers, an ErrorInfo in `details[]`:
// https://developers.google.com/workspace/calendar/api/guides/errors,
// https://developers.google.com/drive/api/guides/handle-errors, https://cloud.google.com/apis/design/errors.
// A 403 is a rate limit when a reason says so ("403: User Rate Limit Exceeded", "403: Rate
// Limit Exceeded": back off and retry), and about the credentials when the token lacks a scope.
const RATE_LIMITED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const PERMISSION_DENIED = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

function reasons(body: unknown): string[] {
  const error = (body as { error?: { errors?: unknown; details?: unknown } } | undefined)?.error;
  const found: string[] = [];
  for (const list of [error?.errors, error?.details]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const reason = (item as { reason?: unknown } | null)?.reason;
      if (typeof reason === 'string') found.push(reason);
    }
  }
  return found;
}

/** Google's error: its first reason and message; a 403 read as a rate limit or a missing scope when a reason says so. */
export const readGoogleError: ProviderErrorReader = (body, status) => {
  const report = readCommonErrorShapes(body, status);
  if (report === undefined || status !== 403) return report;
  const said = reasons(body);
  if (said.some((reason) => RATE_LIMITED.has(reason))) return { ...report, status: 429 };
  if (said.some((reason) => PERMISSION_DENIED.has(reason))) return { ...report, permissionDenied: true };
  return report;
};
