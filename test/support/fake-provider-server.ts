import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake provider saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, percent-decoding left to the handler. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json(): unknown;
  form(): URLSearchParams;
}

/**
 * What a handler answers: JSON, text or raw bytes (`body`: files, compressed payloads).
 * `dropConnection` destroys the socket: a real network error for the client.
 */
export type FakeResponse =
  | { status?: number; headers?: Record<string, string | string[]>; json?: unknown; text?: string; body?: Uint8Array }
  | { dropConnection: true };

/**
 * Records a broken expectation about the request. The server then answers with the provider's own
 * error shape instead of the handler's answer, and keeps the message in `violations` for the test.
 */
export type Check = (condition: boolean, message: string) => void;

export type Handler = (request: RecordedRequest, check: Check, params: Record<string, string>) => FakeResponse;

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
 */
export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly routes: Route[] = [];
  private readonly queued: { method: string; pattern: RegExp; response: FakeResponse }[] = [];
  private server: Server | undefined;
  private origin = '';

  /**
   * @param errorResponse the provider's error body for a request the fake rejects.
   */
  constructor(private readonly errorResponse: (status: number, message: string) => FakeResponse) {}

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
          text: () => body.toString('utf8'),
          json: () => JSON.parse(body.toString('utf8')) as unknown,
          form: () => new URLSearchParams(body.toString('utf8')),
        };
        this.requests.push(request);
        const response = this.answer(request);
        if ('dropConnection' in response) {
          incoming.socket.destroy();
          return;
        }
        const headers: Record<string, string | string[]> = { ...response.headers };
        let payload: string | Uint8Array = response.body ?? response.text ?? '';
        if (response.json !== undefined) {
          headers['content-type'] ??= 'application/json; charset=utf-8';
          payload = JSON.stringify(response.json);
        }
        outgoing.writeHead(response.status ?? 200, headers).end(payload);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    return this.origin;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  private answer(request: RecordedRequest): FakeResponse {
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
        response = route.handler(request, check, decodeGroups(match.groups));
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
