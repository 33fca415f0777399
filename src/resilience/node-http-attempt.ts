import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { TimedAttempt } from './attempt-timeouts.js';
import { MAX_REDIRECTS, sameOriginRedirect } from './same-origin-redirect.js';

/**
 * One keep-alive pool per scheme for every streamed provider call of the process, as `fetch`
 * has one global dispatcher. No limit on sockets per origin (undici's default too): the breaker
 * and the callers bound what is in flight. An idle socket is closed by the agent at the
 * server's `Keep-Alive: timeout` hint, before the server would close it under a new request.
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** A request body the Node transport sends: whole (resent on a retry) or streamed (sent once). */
export type NodeRequestBody = string | Uint8Array | Readable | ReadableStream<Uint8Array>;

/** What this attempt needs of the call. */
export interface NodeHttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: NodeRequestBody | undefined;
  /** The caller's: ends the request, and the response body with it. */
  signal: AbortSignal | undefined;
}

/**
 * The options `http.request` makes of a URL (node's `urlToHttpOptions`), made here: handed the
 * URL object itself, node copies it property by property, a twelfth of a keep-alive round
 * trip's CPU (bench/proxy).
 */
function requestTarget(url: URL): RequestOptions {
  const { hostname, username, password } = url;
  return {
    protocol: url.protocol,
    // An IPv6 literal without its brackets, as node wants it.
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: url.port,
    path: url.pathname + url.search,
    ...((username !== '' || password !== '') && { auth: `${decodeURIComponent(username)}:${decodeURIComponent(password)}` }),
  };
}

const timedOut = (): DOMException => new DOMException('The attempt timed out', 'TimeoutError');

/**
 * An attempt of `ResilientHttpClient.stream` on Node's own HTTP client, whose answer is a Node
 * stream the proxy pipes to its caller as it is: no WHATWG stream, `Headers` or `Response` per
 * call, which on a local keep-alive round trip took `fetch` ~2.5 times the CPU (bench/proxy).
 * Like `fetch` it sends `Accept: *\/*` and `User-Agent: node` unless the call says otherwise
 * (GitHub refuses a request without a User-Agent) and follows redirects, but only within the
 * provider's origin; unlike `fetch` it asks for no compression and decodes none: a body is passed
 * on as the provider sent it.
 *
 * Its timeout (attempt-timeouts.ts) ends the request at any stage, body included, by destroying
 * it; so does the caller's signal, until the response body has ended.
 */
export class NodeHttpAttempt extends TimedAttempt {
  expired = false;
  #request: ClientRequest | undefined;

  expire(): void {
    this.expired = true;
    this.#request?.destroy(timedOut());
  }

  /**
   * Sends the request; resolves with the response once its headers are in, body unread. A
   * redirect within the provider's origin is followed (same-origin-redirect.ts says which), in
   * this attempt and its time.
   */
  async send(call: NodeHttpCall): Promise<IncomingMessage> {
    let current = call;
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.#sendOnce(current);
      const next = redirects < MAX_REDIRECTS ? sameOriginRedirect(current, response) : undefined;
      if (next === undefined) return response;
      response.resume();
      current = next;
    }
  }

  #sendOnce(call: NodeHttpCall): Promise<IncomingMessage> {
    const { signal } = call;
    signal?.throwIfAborted();
    const url = new URL(call.url);
    const agent = agents[url.protocol as keyof typeof agents];
    if (agent === undefined) throw new TypeError(`unsupported protocol ${url.protocol}`);
    // The call's record may be its client's frozen defaults: a copy when anything is added.
    const headers: OutgoingHttpHeaders =
      call.headers.accept !== undefined && call.headers['user-agent'] !== undefined ? call.headers : { accept: '*/*', 'user-agent': 'node', ...call.headers };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)({ ...requestTarget(url), method: call.method, headers, agent });
      this.#request = request;
      if (this.expired) request.destroy(timedOut());
      let onAbort: (() => void) | undefined;
      if (signal) {
        onAbort = () => request.destroy(signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError'));
        signal.addEventListener('abort', onAbort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', onAbort!));
      }
      request.once('error', reject);
      request.once('response', (response) => {
        request.off('error', reject);
        // A failure after the headers (a timeout or an abort mid-body) reaches the response's reader.
        request.on('error', (error) => response.destroy(error));
        resolve(response);
      });
      writeBody(request, call.body);
    });
  }
}

/**
 * Sends the body. A streamed one is piped; when the request fails first, what is left of the
 * stream is drained rather than destroyed: it may be a caller's request, whose connection must
 * stay open for the answer that says what went wrong.
 */
function writeBody(request: ClientRequest, body: NodeRequestBody | undefined): void {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    request.end(body);
    return;
  }
  const source = body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  source.once('error', (error) => request.destroy(error));
  request.once('close', () => {
    if (source.readableEnded) return;
    source.unpipe(request);
    source.resume();
  });
  source.pipe(request);
}
