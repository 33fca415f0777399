import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface Received {
  method: string;
  /** Path and query, as sent. */
  url: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ReceiverAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Real milliseconds to wait before answering. */
  delayMs?: number;
}

/**
 * A stand-in for the service's webhook endpoint in the fakes' own tests: records what the fakes
 * send and answers whatever `answer` says (200, empty, by default).
 */
export class RecordingReceiver {
  readonly received: Received[] = [];
  answer: (request: Received) => ReceiverAnswer = () => ({});
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const request: Received = {
          method: incoming.method ?? 'GET',
          url: incoming.url ?? '/',
          query: new URL(incoming.url ?? '/', 'http://receiver.invalid').searchParams,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(request);
        const answer = this.answer(request);
        const send = (): void => {
          if (!outgoing.destroyed) outgoing.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body ?? '');
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Echoes Graph's validation token the way the documentation asks: 200, text/plain, the decoded token. */
export const echoGraphValidation = (request: Received): ReceiverAnswer => {
  const token = request.query.get('validationToken');
  return token === null ? { status: 202 } : { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: token };
};
