/**
 * The provider side of `bench/proxy.ts`, in a process of its own. Mode `api`: a local keep-alive
 * API server answering a small JSON object (Google's userinfo) to the right bearer token, 401
 * otherwise. Mode `bare`: the least a proxy does, one more server and one more client (a
 * node:http server that requests the same URL from the API with the token on undici's
 * keep-alive agent and pipes the answer back), nothing else: the reference for the second hop's
 * own cost, on the server and transport the proxy uses.
 * Prints `ready <port>` when listening.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';

export type UpstreamOptions = { mode: 'api'; accessToken: string; body: string } | { mode: 'bare'; accessToken: string; apiUrl: string };

const options = JSON.parse(process.argv[2]!) as UpstreamOptions;

const api = (accessToken: string, body: string): RequestListener => (request, response) => {
  if (request.headers.authorization !== `Bearer ${accessToken}`) {
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":401,"status":"UNAUTHENTICATED"}}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(body);
};

const bare = (accessToken: string, apiUrl: string): RequestListener => {
  const agent = new Agent();
  const origin = new URL(apiUrl).origin;
  return (request, response) => {
    void agent.request({ origin, path: request.url ?? '/', method: 'GET', headers: { authorization: `Bearer ${accessToken}` } }).then((upstream) => {
      response.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type'] ?? 'application/octet-stream') });
      upstream.body.pipe(response);
    });
  };
};

const server = createServer(options.mode === 'api' ? api(options.accessToken, options.body) : bare(options.accessToken, options.apiUrl));
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
