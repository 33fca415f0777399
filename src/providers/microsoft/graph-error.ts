import { readCommonErrorShapes, type ProviderErrorReader } from '../../resilience/provider-error.js';

// Graph answers `{ error: { code, message, innerError } }` (https://learn.microsoft.com/en-us/graph/errors);
// Outlook and the directory put their own code there. A 403 is about the token's permissions
// when the code says so: `accessDenied` ("The caller doesn't have permission to perform the
// action"), the directory's `Authorization_RequestDenied` ("Insufficient privileges to complete
// the operation") and Outlook's `ErrorAccessDenied`
// (https://learn.microsoft.com/en-us/graph/resolve-auth-errors). Graph throttles with 429 and
// Retry-After, which needs no reading. Codes are compared without case.
const PERMISSION_DENIED = new Set(['accessdenied', 'authorization_requestdenied', 'erroraccessdenied']);

function codes(body: unknown): string[] {
  const error = (body as { error?: { code?: unknown; innerError?: { code?: unknown } } } | undefined)?.error;
  return [error?.code, error?.innerError?.code].filter((code): code is string => typeof code === 'string').map((code) => code.toLowerCase());
}

/** Graph's error code and message; a 403 read as a permission the token lacks when the code says so. */
export const readGraphError: ProviderErrorReader = (body, status) => {
  const report = readCommonErrorShapes(body, status);
  if (report === undefined || status !== 403) return report;
  return codes(body).some((code) => PERMISSION_DENIED.has(code)) ? { ...report, permissionDenied: true } : report;
};
