import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallbackUrlPolicy } from './fake-callback-url.js';
import { FakeClock } from './fake-clock.js';
import { parseLoggedBody, selectHeaders, type LoggedExchange, type RequestLog } from './fake-request-log.js';

/** One request as the fake provider saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, percent-decoding left to the handler. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Fake-clock time it arrived. */
  at: number;
  /** Status it was answered with; undefined while unanswered, or when the connection was dropped or stalled. */
  status?: number;
  text(): string;
  json(): unknown;
  form(): URLSearchParams;
}

/**
 * What a handler answers: JSON, text or raw bytes (`body`: files, compressed payloads).
 * `dropConnection` destroys the socket: a real network error for the client. `stall` never
 * answers (until the server closes). `after` runs once the answer has left, for what a provider
 * does right after answering (Google's `sync` message).
 */
export type FakeResponse =
  | { status?: number; headers?: Record<string, string | string[]>; json?: unknown; text?: string; body?: Uint8Array; after?: () => unknown }
  | { dropConnection: true }
  | { stall: true };

/**
 * Records a broken expectation about the request. The server then answers with the provider's own
 * error shape instead of the handler's answer, and keeps the message in `violations` for the test.
 */
export type Check = (condition: boolean, message: string) => void;

export type Handler = (request: RecordedRequest, check: Check, params: Record<string, string>) => FakeResponse | Promise<FakeResponse>;

/** A failure a test injects: an HTTP status answered in the provider's error shape, a reset connection, or no answer. */
export type Fault = { status: number; message?: string; headers?: Record<string, string> } | 'reset' | 'stall';

export interface FakeProviderServerOptions {
  /** Names the fake in the shared request log. @default 'provider' */
  name?: string;
  /** @default a clock of its own, starting at the real time */
  clock?: FakeClock;
  /** A log shared with other fakes; the server's own `requests` are kept either way. */
  log?: RequestLog;
  /**
   * The provider's answer when the rate limit (see {@link FakeProviderServer.rateLimit}) is
   * exceeded; `retryAfterSeconds` is when a request would be accepted again.
   * @default a 429 with `Retry-After` and the provider's error body
   */
  rateLimited?: (retryAfterSeconds: number) => FakeResponse;
}

/** What every provider fake (`createFakeGoogle`, `createFakeMicrosoft`, `createFakeAsana`) takes. */
export interface ProviderFakeOptions {
  /** Expiries are judged on this clock. @default a clock of its own, at the real time */
  clock?: FakeClock;
  /** A log shared with other fakes and the OAuth server. */
  log?: RequestLog;
  /** Access tokens accepted (principal `default`); more can be granted and revoked through `tokens`. @default the fake's constant token */
  accessTokens?: readonly string[];
  callbackUrls?: CallbackUrlPolicy;
}

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  handler: Handler;
}

/**
 * A local stand-in for a provider's HTTP API on 127.0.0.1, port 0. Routes are written against
 * the provider's documented request and response shapes; every request that breaks a check, or
 * that matches no route, is answered with the provider's error body and listed in `violations`,
 * so a test that asserts `violations` is empty fails when the client drifts from the API.
 *
 * For resilience tests and benchmarks: {@link fail} injects a 5xx, a reset or a stall into the
 * next matching requests, {@link refuseConnections} closes the port, {@link latencyMs} delays
 * every answer and {@link rateLimit} answers the provider's 429 above N requests per second
 * (both in real time; expiries use the fake clock instead).
 */
export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly name: string;
  readonly clock: FakeClock;
  readonly log: RequestLog | undefined;
  /**
   * Real milliseconds every answer waits before it is written.
   * @default 0
   */
  latencyMs = 0;
  /** How many requests the rate limit refused. */
  rateLimitedCount = 0;
  private readonly routes: Route[] = [];
  private readonly queued: { method: string; pattern: RegExp; response: FakeResponse }[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly rateLimitedResponse: (retryAfterSeconds: number) => FakeResponse;
  private limit: number | undefined;
  private windowMs = 1000;
  private readonly accepted: number[] = [];
  private server: Server | undefined;
  private origin = '';
  private port = 0;

  /**
   * @param errorResponse the provider's error body for a request the fake rejects.
   */
  constructor(
    private readonly errorResponse: (status: number, message: string) => FakeResponse,
    options: FakeProviderServerOptions = {},
  ) {
    this.name = options.name ?? 'provider';
    this.clock = options.clock ?? new FakeClock();
    this.log = options.log;
    this.rateLimitedResponse =
      options.rateLimited ??
      ((seconds) => {
        const response = this.errorResponse(429, 'Too Many Requests');
        return 'status' in response || 'json' in response ? { ...response, headers: { ...('headers' in response ? response.headers : {}), 'retry-after': String(seconds) } } : response;
      });
  }

  /**
   * `path` may hold `:name` segments; their decoded values reach the handler as `params`.
   * A route for a method and path already routed replaces the earlier one.
   */
  route(method: string, path: string, handler: Handler): this {
    const existing = this.routes.findIndex((route) => route.method === method && route.path === path);
    if (existing >= 0) this.routes.splice(existing, 1);
    this.routes.push({ method, path, pattern: compile(path), handler });
    return this;
  }

  /** The next matching request gets `response` instead of reaching its route. */
  enqueue(method: string, path: string, response: FakeResponse): this {
    this.queued.push({ method, pattern: compile(path), response });
    return this;
  }

  /** The next `times` requests matching `method` and `path` (a route pattern) fail with `fault` before reaching their route. */
  fail(method: string, path: string, fault: Fault, times = 1): this {
    const response: FakeResponse =
      fault === 'reset'
        ? { dropConnection: true }
        : fault === 'stall'
          ? { stall: true }
          : withHeaders(this.errorResponse(fault.status, fault.message ?? defaultMessage(fault.status)), fault.headers);
    for (let i = 0; i < times; i += 1) this.enqueue(method, path, response);
    return this;
  }

  /**
   * Above `limit` accepted requests in any sliding window of `windowMs` real milliseconds,
   * answers the provider's rate-limit response instead of routing, with the seconds until a
   * request would be accepted. `undefined` lifts the limit.
   * @param windowMs @default 1000
   */
  rateLimit(limit: number | undefined, windowMs = 1000): this {
    this.limit = limit;
    this.windowMs = windowMs;
    this.accepted.length = 0;
    return this;
  }

  get url(): string {
    return this.origin;
  }

  count(method: string, path: string): number {
    return this.requests.filter((request) => request.method === method && request.path === path).length;
  }

  reset(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.queued.length = 0;
  }

  /** Resolves once every `after` task (deliveries a handler started after answering) has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Runs `task` in the background, awaited by {@link idle}. */
  track(task: () => unknown): void {
    const promise = Promise.resolve()
      .then(task)
      .catch(() => undefined)
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
        const body = Buffer.concat(chunks);
        const request: RecordedRequest = {
          method: incoming.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: incoming.headers,
          body,
          at: this.clock.now(),
          text: () => body.toString('utf8'),
          json: () => JSON.parse(body.toString('utf8')) as unknown,
          form: () => new URLSearchParams(body.toString('utf8')),
        };
        this.requests.push(request);
        const logged = this.log?.record({
          provider: this.name,
          direction: 'in',
          method: request.method,
          path: request.path,
          query: Object.fromEntries(url.searchParams),
          headers: selectHeaders(incoming.headers),
          body: parseLoggedBody(request.text(), incoming.headers['content-type']),
          at: request.at,
        });
        void this.respond(request, logged, incoming.socket, outgoing);
      });
    });
    await this.listen(0);
    const { port } = this.server.address() as AddressInfo;
    this.port = port;
    this.origin = `http://127.0.0.1:${port}`;
    return this.origin;
  }

  /** Stops listening: connections to the port are refused (ECONNREFUSED) until {@link acceptConnections}. */
  async refuseConnections(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Listens again on the same port after {@link refuseConnections}. */
  async acceptConnections(): Promise<void> {
    if (this.server && !this.server.listening) await this.listen(this.port);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    await this.idle();
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
  }

  private async respond(
    request: RecordedRequest,
    logged: LoggedExchange | undefined,
    socket: import('node:net').Socket,
    outgoing: import('node:http').ServerResponse,
  ): Promise<void> {
    const response = await this.answer(request);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if ('stall' in response) return;
    if ('dropConnection' in response) {
      socket.destroy();
      return;
    }
    const headers: Record<string, string | string[]> = { ...response.headers };
    let payload: string | Uint8Array = response.body ?? response.text ?? '';
    if (response.json !== undefined) {
      headers['content-type'] ??= 'application/json; charset=utf-8';
      payload = JSON.stringify(response.json);
    }
    const status = response.status ?? 200;
    request.status = status;
    if (logged) this.log!.answered(logged, status);
    const after = response.after;
    if (after) outgoing.once('finish', () => this.track(after));
    outgoing.writeHead(status, headers).end(payload);
  }

  private async answer(request: RecordedRequest): Promise<FakeResponse> {
    const limited = this.overRateLimit();
    if (limited !== undefined) {
      this.rateLimitedCount += 1;
      return this.rateLimitedResponse(limited);
    }
    for (const route of this.routes) {
      const match = route.method === request.method ? route.pattern.exec(request.path) : null;
      if (!match) continue;
      // A queued answer stands for the provider refusing before doing anything (429, a dropped connection).
      const queuedIndex = this.queued.findIndex((q) => q.method === request.method && q.pattern.test(request.path));
      if (queuedIndex >= 0) return this.queued.splice(queuedIndex, 1)[0]!.response;
      const broken: string[] = [];
      const check: Check = (condition, message) => {
        if (!condition) broken.push(`${request.method} ${request.path}: ${message}`);
      };
      let response: FakeResponse;
      try {
        response = await route.handler(request, check, decodeGroups(match.groups));
      } catch (error) {
        broken.push(`${request.method} ${request.path}: handler threw ${String(error)}`);
        response = this.errorResponse(400, 'Bad Request');
      }
      if (broken.length > 0) {
        this.violations.push(...broken);
        return this.errorResponse(400, broken.join('; '));
      }
      return response;
    }
    this.violations.push(`${request.method} ${request.path}: no such endpoint`);
    return this.errorResponse(404, 'Not Found');
  }

  /** Seconds until a request would be accepted, when the rate limit refuses this one. */
  private overRateLimit(): number | undefined {
    if (this.limit === undefined) return undefined;
    const now = performance.now();
    while (this.accepted.length > 0 && this.accepted[0]! <= now - this.windowMs) this.accepted.shift();
    if (this.accepted.length < this.limit) {
      this.accepted.push(now);
      return undefined;
    }
    return Math.max(1, Math.ceil((this.accepted[0]! + this.windowMs - now) / 1000));
  }
}

function withHeaders(response: FakeResponse, headers: Record<string, string> | undefined): FakeResponse {
  if (!headers || 'dropConnection' in response || 'stall' in response) return response;
  return { ...response, headers: { ...response.headers, ...headers } };
}

function defaultMessage(status: number): string {
  return status === 503 ? 'Service Unavailable' : status >= 500 ? 'Internal Server Error' : `HTTP ${status}`;
}

function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

function decodeGroups(groups: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]));
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: RecordedRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

export function contentType(request: RecordedRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
