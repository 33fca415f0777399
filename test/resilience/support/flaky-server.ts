import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server does with one request. */
export type Behaviour =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  /** Destroys the socket before answering: a network error for the client. */
  | { drop: true }
  /** Never answers (until the server closes). */
  | { stall: true }
  /** Sends the status line, headers and the start of a body, then nothing more. */
  | { stallBody: string; headers?: Record<string, string> };

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The connection it came on: closed when the client cancels the request. */
  socket: Socket;
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Behaviour => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

/**
 * A real HTTP server on 127.0.0.1, port 0, that fails on command: each request takes the next
 * scripted behaviour, then the fallback. Counts TCP connections, so a test can prove that no
 * socket was opened.
 */
export class FlakyServer {
  readonly requests: SeenRequest[] = [];
  connections = 0;
  private readonly script: Behaviour[] = [];
  private fallback: Behaviour = json(200, { ok: true });
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<ServerResponse>();
  private readonly server: Server;
  private origin = '';

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), socket: request.socket });
        this.answer(this.script.shift() ?? this.fallback, response);
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return this.origin;
  }


  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next requests' behaviours, in order. */
  next(...behaviours: Behaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  /** What every request gets once the script is used up. */
  otherwise(behaviour: Behaviour): this {
    this.fallback = behaviour;
    return this;
  }

  async close(): Promise<void> {
    for (const response of this.stalled) response.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(behaviour: Behaviour, response: ServerResponse): void {
    if ('drop' in behaviour) {
      response.socket?.destroy();
      return;
    }
    if ('stall' in behaviour) {
      this.stalled.add(response);
      return;
    }
    if ('stallBody' in behaviour) {
      this.stalled.add(response);
      response.writeHead(200, behaviour.headers ?? { 'content-type': 'application/json' });
      response.write(behaviour.stallBody);
      return;
    }
    response.writeHead(behaviour.status, behaviour.headers ?? {});
    response.end(behaviour.body ?? '');
  }
}

/** A loopback port nothing listens on: connecting to it is refused. */
export async function refusedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
