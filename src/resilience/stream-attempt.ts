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

const ignore = (): void => undefined;
const timedOut = (): DOMException => new DOMException('The attempt timed out', 'TimeoutError');
const aborted = (reason: unknown): Error => (reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError'));

/**
 * The response body: undici's chunks as a Node stream, at the reader's pace (a full buffer
 * pauses the connection, a read resumes it). Destroyed before its end, it ends the request and
 * closes the provider's connection.
 */
class ResponseBody extends Readable {
  readonly #controller: Dispatcher.DispatchController;

  constructor(controller: Dispatcher.DispatchController) {
    super();
    this.#controller = controller;
  }

  override _read(): void {
    this.#controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded && !this.#controller.aborted) this.#controller.abort(error ?? new DOMException('The response body was destroyed', 'AbortError'));
    callback(error);
  }
}

/**
 * One request on undici's dispatcher, its answer handed over once the headers are in. Written
 * against undici's handler interface rather than its `request()`, whose handler and body objects
 * outlived each request long enough to be promoted out of V8's young generation: ~1.4 KB per
 * call (3.5 KB read with `for await`) that only a full collection frees, and scavenges of
 * 15–20 ms in the service, where this handler leaves a few bytes (bench/proxy, --trace-gc).
 */
class StreamHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #body: ResponseBody | undefined;
  /** An abort asked for before undici started the request. */
  #abortReason: Error | undefined;

  constructor(
    private readonly answered: (response: StreamedResponse) => void,
    private readonly failed: (error: Error) => void,
  ) {}

  /** Ends the request at any stage, its body included; nothing once the body has ended. */
  abort(reason: Error): void {
    if (this.#controller) {
      if (!this.#controller.aborted) this.#controller.abort(reason);
    } else {
      this.#abortReason = reason;
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    // 1xx answers are informational: the answer follows.
    if (statusCode < 200) return;
    this.#body = new ResponseBody(controller);
    this.answered({ statusCode, statusText: statusMessage ?? '', headers, body: this.#body });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#body!.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#body!.push(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.#body) {
      this.failed(error);
      return;
    }
    // A body nobody reads any more (a redirect's, a HEAD's) must not take the process down with its error.
    if (this.#body.listenerCount('error') === 0) this.#body.on('error', ignore);
    this.#body.destroy(error);
  }
}

/**
 * An attempt of `ResilientHttpClient.stream` on undici's dispatcher, whose answer body is a
 * Node stream the proxy pipes to its caller as it is: no WHATWG stream, `Headers` or `Response`
 * per call (on a local keep-alive round trip `fetch` took ~2.5 times the CPU; a bare pass-through
 * in bench/proxy spent ~165 µs per request on Node's own HTTP client, ~130 on undici). Like
 * `fetch` it sends `Accept: *\/*` and `User-Agent: node` unless the call says otherwise (GitHub
 * refuses a request without a User-Agent) and follows redirects, but only within the provider's
 * origin; unlike `fetch` it asks for no compression and decodes none: a body is passed on as the
 * provider sent it.
 *
 * Its timeout ends the request at any stage, body included; so does the caller's signal, until
 * the response body has ended.
 */
export class StreamAttempt extends TimedAttempt {
  expired = false;
  #request: StreamHandler | undefined;

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

  #sendOnce(call: StreamCall): Promise<StreamedResponse> {
    const { signal } = call;
    signal?.throwIfAborted();
    const url = new URL(call.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    // The call's record may be its client's frozen defaults: a copy when anything is added.
    const headers = call.headers.accept !== undefined && call.headers['user-agent'] !== undefined ? call.headers : { accept: '*/*', 'user-agent': 'node', ...call.headers };
    return new Promise<StreamedResponse>((resolve, reject) => {
      let stopForwarding: (() => void) | undefined;
      const request = new StreamHandler(
        (response) => {
          if (stopForwarding) response.body.once('close', stopForwarding);
          resolve(response);
        },
        (error) => {
          stopForwarding?.();
          reject(error);
        },
      );
      this.#request = request;
      if (this.expired) request.abort(timedOut());
      if (signal) {
        const forward = (): void => request.abort(aborted(signal.reason));
        signal.addEventListener('abort', forward, { once: true });
        stopForwarding = () => signal.removeEventListener('abort', forward);
      }
      const options: Dispatcher.DispatchOptions = {
        origin: url.origin,
        path: url.pathname + url.search,
        method: call.method as Dispatcher.HttpMethod,
        headers,
        body: sentBody(call.body),
        ...(call.bodyIdleTimeoutMs !== undefined && { bodyTimeout: call.bodyIdleTimeoutMs }),
      };
      try {
        dispatcher.dispatch(options, request);
      } catch (error) {
        // Options undici refuses (a header value it cannot send) fail here rather than in the handler.
        stopForwarding?.();
        reject(error as Error);
      }
    });
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
