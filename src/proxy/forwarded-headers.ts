/**
 * Which headers cross the proxy, each way.
 *
 * Requests: an allow-list. The caller's request carries its credentials for this service (the
 * JWT in `Authorization`, cookies, whatever API key or session header a gateway in front adds)
 * and headers about the hop to us (`Host`, `X-Forwarded-*`, `Via`, request ids): none of it is
 * the provider's business, and a deny-list would pass the next such header nobody thought of.
 * So only headers that describe the request to the provider pass: content negotiation, the
 * body's description, conditional and range requests, preferences, and the version and argument
 * headers providers document. A deployment adds its own with `PROXY_FORWARD_HEADERS`.
 *
 * Responses: a deny-list. The provider's answer is what the caller asked for, and its headers
 * (pagination `Link`, rate-limit counters, `ETag`, request ids, `Dropbox-API-Result`) are part of
 * it; what is removed is what describes the hop from the provider (hop-by-hop headers), what
 * would act on this service's origin in a browser (cookies, HSTS, Alt-Svc, CORS, reporting).
 * Bodies cross as they are, never decoded: the caller's `Accept-Encoding` is passed on, and the
 * provider's `Content-Encoding` and `Content-Length` come back.
 */

/** Request headers passed on, with the reason. */
const FORWARDED_REQUEST_HEADERS = [
  // Content negotiation and the body's description (RFC 9110 §12.5, §8.3–8.8). Content-Length
  // is handled with the body itself.
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'content-language',
  'content-encoding',
  'content-disposition',
  'content-range',
  // Conditional and range requests (RFC 9110 §13, §14).
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'range',
  'cache-control',
  // Preferences (RFC 7240; Microsoft Graph reads `Prefer`) and safe retries (Idempotency-Key draft).
  'prefer',
  'idempotency-key',
  // Provider API versions and arguments sent as headers:
  // https://developers.notion.com/reference/versioning
  'notion-version',
  // https://developers.asana.com/docs/deprecations
  'asana-enable',
  'asana-disable',
  // https://docs.github.com/en/rest/about-the-rest-api/api-versions
  'x-github-api-version',
  // https://learn.microsoft.com/en-us/graph/aad-advanced-queries
  'consistencylevel',
  // https://www.dropbox.com/developers/documentation/http/documentation#formats
  'dropbox-api-arg',
  'dropbox-api-select-user',
  'dropbox-api-select-admin',
  'dropbox-api-path-root',
  // https://learn.microsoft.com/en-us/linkedin/marketing/versioning
  'linkedin-version',
  'x-restli-protocol-version',
  // https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/api-versioning
  'intercom-version',
  // https://developer.xero.com/documentation/guides/oauth2/tenants
  'xero-tenant-id',
  // https://developer.monday.com/api-reference/docs/api-versioning
  'api-version',
  // https://developers.google.com/drive/api/guides/manage-uploads#resumable
  'x-upload-content-type',
  'x-upload-content-length',
  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-attachments/
  'x-atlassian-token',
] as const;

/** Hop-by-hop headers (RFC 9110 §7.6.1), plus the pre-standard `Proxy-Connection` and `Keep-Alive`. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Response headers never returned, beyond the hop-by-hop ones and those `Connection` names. */
const NOT_RETURNED = new Set([
  ...HOP_BY_HOP,
  'host',
  // Cookies of the provider's domain would be set on ours.
  'set-cookie',
  'set-cookie2',
  // Policies the browser would apply to this service's origin.
  'strict-transport-security',
  'alt-svc',
  'clear-site-data',
  'public-key-pins',
  'public-key-pins-report-only',
  'nel',
  'report-to',
  'reporting-endpoints',
  // This service's own: its message date and the request id it logged.
  'date',
  'x-request-id',
]);

/** Statuses whose response has no body (Fetch standard's "null body status"). */
export const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Header values as given to `connections.proxy`: a `Headers`, pairs, or a record (node's `IncomingHttpHeaders` included). */
export type ProxyHeadersInit = Headers | readonly (readonly [string, string])[] | Readonly<Record<string, string | readonly string[] | undefined>>;

function lookup(init: ProxyHeadersInit): (name: string) => string | undefined {
  if (init instanceof Headers) return (name) => init.get(name) ?? undefined;
  if (Array.isArray(init)) {
    const headers = new Headers(init as [string, string][]);
    return (name) => headers.get(name) ?? undefined;
  }
  const record = init as Readonly<Record<string, string | readonly string[] | undefined>>;
  const lowerCased = Object.keys(record).every((name) => name === name.toLowerCase());
  const source = lowerCased ? record : Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => {
    const value = source[name];
    return value === undefined ? undefined : typeof value === 'string' ? value : value.join(', ');
  };
}

/** The request headers that reach the provider: the allow-list and `extra` (lower-case names), from whatever the caller sent. */
export function forwardedRequestHeaders(init: ProxyHeadersInit | undefined, extra: readonly string[]): Record<string, string> {
  const forwarded: Record<string, string> = {};
  if (init === undefined) return forwarded;
  const get = lookup(init);
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = get(name);
    if (value !== undefined) forwarded[name] = value;
  }
  for (const name of extra) {
    const value = get(name);
    if (value !== undefined && !HOP_BY_HOP.includes(name)) forwarded[name] = value;
  }
  return forwarded;
}

/** The header `Content-Length` of a request, when it is a valid one. */
export function declaredContentLength(init: ProxyHeadersInit | undefined): number | undefined {
  if (init === undefined) return undefined;
  const value = lookup(init)('content-length')?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * `Cache-Control` of a proxied answer. The answer is for one caller's integration; a shared
 * cache in front of this service that stored a `public` one would hand it to callers that never
 * passed our authorization check. So it is `private` whatever the provider said, keeping the
 * provider's other directives (max-age, no-cache, must-revalidate…) for the caller's own cache.
 */
function privateCacheControl(value: string | null): string {
  if (value === null) return 'private';
  const kept = value
    .split(',')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && !/^(?:public|private|s-maxage\s*=.*|proxy-revalidate)$/i.test(directive));
  return ['private', ...kept].join(', ');
}

/**
 * The provider's response headers as they go back to the caller (see the top of this file), from
 * the transport's record (lower-case names, a repeated header's values in an array) to pairs
 * (name, value, name, value…): repeated headers (`Link`) stay apart.
 */
export function returnedResponseHeaders(received: Readonly<Record<string, string | readonly string[] | undefined>>): string[] {
  const returned: string[] = [];
  let cacheControl: string | null = null;
  let named: string[] | undefined;
  for (const name of Object.keys(received)) {
    const value = received[name];
    if (value === undefined) continue;
    if (name === 'cache-control') cacheControl = typeof value === 'string' ? value : value.join(', ');
    else if (name === 'connection') named = (typeof value === 'string' ? value : value.join(',')).toLowerCase().split(',').map((token) => token.trim());
    else if (NOT_RETURNED.has(name) || name.startsWith('access-control-')) continue;
    else if (typeof value === 'string') returned.push(name, value);
    else for (const each of value) returned.push(name, each);
  }
  if (named !== undefined) {
    for (let index = returned.length - 2; index >= 0; index -= 2) if (named.includes(returned[index]!)) returned.splice(index, 2);
  }
  returned.push('cache-control', privateCacheControl(cacheControl));
  return returned;
}
