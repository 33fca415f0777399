import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ClientRequest } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): Record<string, unknown>;
}

/**
 * A request through node's own HTTP client, which sends what `fetch` refuses to: hop-by-hop
 * headers (`Connection`, `TE`, `Keep-Alive`), paths with encoded dot segments as written, and a
 * body that is still being written when the answer comes. `write` gets the request to stream into;
 * the promise settles with the answer, whether or not the body was ended.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; write?: (request: ClientRequest) => void } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest(
      { host: target.hostname, port: target.port, path: url.slice(target.origin.length), method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown> });
          request.destroy();
        });
      },
    );
    // The server may close the connection while the body is still going out (after a 413).
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    if (options.write) options.write(request);
    else request.end();
  });
}
