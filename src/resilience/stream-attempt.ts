import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Agent, type Dispatcher } from 'undici';
import { TimedAttempt } from './attempt-timeouts.js';
import { MAX_REDIRECTS, sameOriginRedirect } from './same-origin-redirect.js';

/**
 * One keep-alive pool per origin for every streamed provider call of the process, as `fetch`
 * has one global dispatcher (this is its library, undici, used without the fetch layer). No
 * limit on connections per origin: the breaker and the callers bound what is in flight. The
 * transport's own timeouts are off: the attempt's timeout (attempt-timeouts.ts) bounds the wait
 * for the answer, and a body's idle time is the call's to set (`bodyIdleTimeoutMs`).
 */
const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

/** A request body the stream transport sends: whole (resent on a retry) or streamed (sent once). */
export type NodeRequestBody = string | Uint8Array | Readable | ReadableStream<Uint8Array>;

/** What this attempt needs of the call. */
export interface StreamCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: NodeRequestBody | undefined;
  /** The caller's: ends the request, and the response body with it. */
  signal: AbortSignal | undefined;
  /** The response body fails when the provider sends nothing for this long while it is read. @default no limit */
  bodyIdleTimeoutMs?: number | undefined;
}

/** A provider's answer as `ResilientHttpClient.stream` resolves it: status and headers in, body unread. */
export interface StreamedResponse {
  statusCode: number;
  statusText: string;
  /** Lower-case names; a repeated header's values in an array (`Link`). */
  headers: IncomingHttpHeaders;
  /** As the provider sends it, not decoded; destroying it closes the provider's connection. */
  body: Readable;
}

const timedOut = (): DOMException => new DOMException('The attempt timed out', 'TimeoutError');

/**
 * An attempt of `ResilientHttpClient.stream` on undici's dispatcher API, whose answer body is a
 * Node stream the proxy pipes to its caller as it is: no WHATWG stream, `Headers` or `Response`
 * per call (on a local keep-alive round trip `fetch` took ~2.5 times the CPU; a bare pass-through
 * in bench/proxy spent ~165 µs per request on Node's own HTTP client, ~130 on this). Like `fetch` it sends `Accept: *\/*` and
 * `User-Agent: node` unless the call says otherwise (GitHub refuses a request without a
 * User-Agent) and follows redirects, but only within the provider's origin; unlike `fetch` it
 * asks for no compression and decodes none: a body is passed on as the provider sent it.
 *
 * Its timeout ends the request at any stage, body included; so does the caller's signal, until
 * the response body has ended. Both go through one AbortController per request.
 */
export class StreamAttempt extends TimedAttempt {
  expired = false;
  #request: AbortController | undefined;

  expire(): void {
    this.expired = true;
    this.#request?.abort(timedOut());
  }

  /**
   * Sends the request; resolves with the response once its headers are in, body unread. A
   * redirect within the provider's origin is followed (same-origin-redirect.ts says which), in
   * this attempt and its time.
   */
  async send(call: StreamCall): Promise<StreamedResponse> {
    let current = call;
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.#sendOnce(current);
      const next = redirects < MAX_REDIRECTS ? sameOriginRedirect(current, response) : undefined;
      if (next === undefined) return response;
      response.body.resume();
      current = next;
    }
  }

  async #sendOnce(call: StreamCall): Promise<StreamedResponse> {
    const { signal } = call;
    signal?.throwIfAborted();
    const url = new URL(call.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    const request = new AbortController();
    this.#request = request;
    if (this.expired) request.abort(timedOut());
    let stopForwarding: (() => void) | undefined;
    if (signal) {
      const forward = (): void => request.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      stopForwarding = () => signal.removeEventListener('abort', forward);
    }
    // The call's record may be its client's frozen defaults: a copy when anything is added.
    const headers = call.headers.accept !== undefined && call.headers['user-agent'] !== undefined ? call.headers : { accept: '*/*', 'user-agent': 'node', ...call.headers };
    const options: Dispatcher.RequestOptions = {
      origin: url.origin,
      path: url.pathname + url.search,
      method: call.method as Dispatcher.HttpMethod,
      headers,
      body: sentBody(call.body),
      signal: request.signal,
      ...(call.bodyIdleTimeoutMs !== undefined && { bodyTimeout: call.bodyIdleTimeoutMs }),
    };
    let answer: Dispatcher.ResponseData;
    try {
      answer = await dispatcher.request(options);
    } catch (error) {
      stopForwarding?.();
      throw error;
    }
    if (stopForwarding) answer.body.once('close', stopForwarding);
    return { statusCode: answer.statusCode, statusText: answer.statusText, headers: answer.headers, body: answer.body };
  }
}

/**
 * The body as the transport takes it. A streamed one goes through a stream of its own, which the
 * transport destroys when the request ends: what is left of the caller's stream is then drained
 * rather than destroyed, as it may be a caller's request, whose connection must stay open for the
 * answer that says what went wrong.
 */
function sentBody(body: NodeRequestBody | undefined): string | Uint8Array | Readable | undefined {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return body;
  const source = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  const sent = new PassThrough();
  source.once('error', (error) => sent.destroy(error));
  sent.once('close', () => {
    if (source.readableEnded) return;
    source.unpipe(sent);
    source.resume();
  });
  return source.pipe(sent);
}
