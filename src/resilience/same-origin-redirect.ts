import type { StreamCall, StreamedResponse } from './stream-attempt.js';

/** As many as `fetch` follows. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** What a request turned into a GET leaves behind with its body (the fetch standard's list, and its length). */
const BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']);

/**
 * The request to send after a redirect, as `fetch` would send it, or undefined when the answer
 * goes back as it is: any answer that is not a redirect with a `Location`, and any redirect
 * `fetch` would follow but this does not:
 *  - to another origin: the request carries the integration's token, in `Authorization` or in a
 *    header only its provider entry names (Shopify's), so it never leaves the provider's origin;
 *    the caller gets the redirect (a pre-signed download URL, say) and follows it itself;
 *  - one that would send a streamed body again: it has been read.
 * A 303 (and a 301 or 302 to a POST) becomes a GET without the body, as in `fetch`.
 */
export function sameOriginRedirect(call: StreamCall, response: StreamedResponse): StreamCall | undefined {
  const { location } = response.headers;
  if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return undefined;
  const from = new URL(call.url);
  const target = URL.parse(location, from);
  if (target === null || target.origin !== from.origin) return undefined;
  target.hash = '';
  const status = response.statusCode;
  const becomesGet = ((status === 301 || status === 302) && call.method === 'POST') || (status === 303 && call.method !== 'GET' && call.method !== 'HEAD');
  if (becomesGet) {
    const headers = Object.fromEntries(Object.entries(call.headers).filter(([name]) => !BODY_HEADERS.has(name.toLowerCase())));
    return { ...call, url: target.href, method: 'GET', headers, body: undefined };
  }
  const { body } = call;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) return undefined;
  return { ...call, url: target.href };
}
