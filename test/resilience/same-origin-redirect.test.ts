import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderBreakerRegistry, ResilientHttpClient } from '../../src/resilience/index.js';
import type { StreamedResponse } from '../../src/resilience/stream-attempt.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A server that records what it is sent and answers as `answer` says. */
async function recordingServer(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let provider: Awaited<ReturnType<typeof recordingServer>>;
let elsewhere: Awaited<ReturnType<typeof recordingServer>>;

const redirect = (response: ServerResponse, status: number, location: string): void => {
  response.writeHead(status, { location, 'content-type': 'text/plain' }).end('moved');
};

beforeAll(async () => {
  elsewhere = await recordingServer((_request, response) => response.writeHead(200).end('elsewhere'));
  provider = await recordingServer((request, response) => {
    const path = request.url!;
    if (path === '/renamed') return redirect(response, 301, '/repositories/42');
    if (path === '/created') return redirect(response, 303, `${provider.url}/created/7`);
    if (path === '/temporary') return redirect(response, 307, '/kept');
    if (path === '/download') return redirect(response, 302, `${elsewhere.url}/signed?sig=abc`);
    if (path === '/loop') return redirect(response, 302, '/loop');
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`here: ${request.method} ${path}`);
  });
});

afterAll(async () => {
  await Promise.all([provider, elsewhere].map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  provider.seen.length = 0;
  elsewhere.seen.length = 0;
});

const client = (): ResilientHttpClient => new ResilientHttpClient({ name: 'redirects', timeout: 2_000, breakers: new ProviderBreakerRegistry() });

async function text(response: StreamedResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

const TOKEN = { authorization: 'Bearer provider-token', 'x-shopify-access-token': 'shpat_token' };

describe('ResilientHttpClient.stream and redirects', () => {
  it('follows a redirect within the provider’s origin with the same request, token included', async () => {
    const response = await client().stream({ url: `${provider.url}/renamed`, headers: TOKEN });
    expect(response.statusCode).toBe(200);
    expect(await text(response)).toBe('here: GET /repositories/42');
    expect(provider.seen.map(({ url, headers }) => [url, headers.authorization])).toEqual([
      ['/renamed', 'Bearer provider-token'],
      ['/repositories/42', 'Bearer provider-token'],
    ]);
  });

  it('turns a POST answered 303 into a GET without its body, and keeps the body of a 307', async () => {
    const created = await client().stream({ url: `${provider.url}/created`, method: 'POST', headers: { ...TOKEN, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(await text(created)).toBe('here: GET /created/7');
    expect(provider.seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(provider.seen[1]?.headers['content-type']).toBeUndefined();

    provider.seen.length = 0;
    const kept = await client().stream({ url: `${provider.url}/temporary`, method: 'PUT', headers: { ...TOKEN, 'content-type': 'application/json' }, body: '{"name":"y"}' });
    expect(await text(kept)).toBe('here: PUT /kept');
    expect(provider.seen[1]).toMatchObject({ method: 'PUT', body: '{"name":"y"}', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
  });

  it('gives back a redirect to another origin as it is: no token, nothing at all, reaches it', async () => {
    const response = await client().stream({ url: `${provider.url}/download`, headers: TOKEN });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`${elsewhere.url}/signed?sig=abc`);
    expect(await text(response)).toBe('moved');
    expect(elsewhere.seen).toEqual([]);
  });

  it('gives back a 307 to a streamed body, which cannot be sent again', async () => {
    const response = await client().stream({ url: `${provider.url}/temporary`, method: 'POST', headers: TOKEN, body: Readable.from([Buffer.from('streamed')]) });
    expect(response.statusCode).toBe(307);
    expect(await text(response)).toBe('moved');
    expect(provider.seen.map(({ url }) => url)).toEqual(['/temporary']);
  });

  it('stops after 20 redirects, as fetch does, with the last one as the answer', async () => {
    const response = await client().stream({ url: `${provider.url}/loop`, headers: TOKEN });
    expect(response.statusCode).toBe(302);
    response.body.resume();
    expect(provider.seen).toHaveLength(21);
  });
});
