import { maskSecrets } from './redaction.js';

/**
 * What the service keeps of a provider's own account of a failure: its error code and message,
 * cleaned for logs and users (see {@link summarizeProviderError}). Never its body.
 */
export interface ProviderErrorSummary {
  /** The provider's code: Google's `errors[].reason`, Graph's `error.code`, Slack's `error`. */
  code?: string;
  /** The provider's message: Google's and Graph's `error.message`, Asana's `errors[].message`. */
  message?: string;
}

/** A provider's error as a {@link ProviderErrorReader} read it from an answer. */
export interface ProviderErrorReport extends ProviderErrorSummary {
  /**
   * The status the failure stands for when the answer's own says otherwise: 429 for a rate limit
   * answered 403 (Google's `rateLimitExceeded`) or 200 (Slack's `ratelimited`); for another
   * failure answered 2xx, the status the condition has elsewhere (Slack's `invalid_auth`: 401).
   * @default the answer's status
   */
  status?: number;
  /**
   * The answer is a 403 about what the credentials allow, not about the request: a scope not
   * granted, an administrator's consent missing. A refresh cannot fix it; reconnecting can.
   * @default false
   */
  permissionDenied?: boolean;
}

/**
 * Reads a provider's error from the decoded body of a failed answer (and, for a provider that
 * fails requests with a 2xx, of every 2xx answer), with the answer's HTTP status. Runs only on
 * those answers, never on an ordinary success. `undefined`: the body says nothing usable.
 */
export type ProviderErrorReader = (body: unknown, status: number) => ProviderErrorReport | undefined;

const MAX_CODE_LENGTH = 64;
const MAX_MESSAGE_LENGTH = 200;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * The JSON error shapes most APIs answer with, with no provider's meaning attached:
 * - `{ error: { code, message, status, errors: [{ reason, message }] } }`: Google's
 *   (https://cloud.google.com/apis/design/errors) and OData's, which Microsoft Graph uses
 *   (https://learn.microsoft.com/en-us/graph/errors); the code is Google's first `reason`, else its
 *   `status`, else `code` when it is a string (Graph's);
 * - `{ errors: [{ message, code? }] }`: Asana's (https://developers.asana.com/docs/errors) and others';
 * - `{ error: "…", error_description? }`: OAuth 2.0's (RFC 6749 §5.2), and Slack's `error`;
 * - `{ message, code? }`.
 */
export const readCommonErrorShapes: ProviderErrorReader = (body) => {
  if (!isRecord(body)) return undefined;
  const { error } = body;
  if (isRecord(error)) {
    const first = Array.isArray(error.errors) && isRecord(error.errors[0]) ? error.errors[0] : undefined;
    const report = { code: text(first?.reason) ?? text(error.status) ?? text(error.code), message: text(error.message) ?? text(first?.message) };
    return report.code === undefined && report.message === undefined ? undefined : report;
  }
  if (text(error) !== undefined) return { code: text(error), message: text(body.error_description) ?? text(body.message) };
  if (Array.isArray(body.errors) && isRecord(body.errors[0])) {
    const first = body.errors[0];
    return { code: text(first.code), message: text(first.message) };
  }
  if (text(body.message) !== undefined) return { code: text(body.code), message: text(body.message) };
  return undefined;
};

/**
 * A report as it may be kept on an error and shown: one line, secrets masked, bounded. A
 * provider may echo parts of the request back (an identifier, a header it disliked), so its text
 * is treated as the request would be in a log line.
 */
export function summarizeProviderError(report: ProviderErrorReport | undefined): ProviderErrorSummary | undefined {
  if (report === undefined) return undefined;
  const code = clean(report.code, MAX_CODE_LENGTH);
  const message = clean(report.message, MAX_MESSAGE_LENGTH);
  if (code === undefined && message === undefined) return undefined;
  return { ...(code !== undefined && { code }), ...(message !== undefined && { message }) };
}

/** `code: message`, or whichever there is: how a summary reads inside an error message. */
export const describeProviderError = (summary: ProviderErrorSummary): string =>
  summary.code !== undefined && summary.message !== undefined ? `${summary.code}: ${summary.message}` : (summary.code ?? summary.message ?? '');

function clean(value: string | undefined, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  // Controls (line breaks included) would let a provider forge log lines.
  // eslint-disable-next-line no-control-regex
  const line = maskSecrets(value.slice(0, maxLength * 4).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')).replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
