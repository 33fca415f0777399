/**
 * How long a provider asked us to wait before the next request, in milliseconds, or
 * `undefined` when it did not say.
 *
 * - `Retry-After` (RFC 9110 §10.2.3), as delay-seconds or an HTTP-date. Slack, Microsoft Graph
 *   and Asana send it with 429 and 503.
 * - On a 429 without it: `RateLimit-Reset` (IETF RateLimit header draft: seconds until reset) or
 *   `X-RateLimit-Reset`, which APIs send either as seconds until reset or as an epoch time in
 *   seconds; values past 10^9 can only be the latter.
 */
export function retryAfterMs(headers: Pick<Headers, 'get'>, status: number, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const parsed = parseRetryAfter(retryAfter, now);
    if (parsed !== undefined) return parsed;
  }
  if (status !== 429) return undefined;
  const reset = headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset');
  if (reset === null) return undefined;
  const seconds = Number(reset.trim());
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return seconds > EPOCH_SECONDS_THRESHOLD ? Math.max(0, seconds * 1000 - now) : Math.ceil(seconds * 1000);
}

const EPOCH_SECONDS_THRESHOLD = 1e9;

/** A `Retry-After` value: delay-seconds (a non-negative integer) or an HTTP-date. */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date names its day and month; without letters `Date.parse` would take "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
