import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';

const REQUEST_TIMEOUT_MS = 2500;
const HEADERS_TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 5;

/** A raw connection to the app; resolves once connected. */
async function open(url: string): Promise<Socket> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Resolves with what the server sent and how long after `since` it closed the connection. */
function closedAfter(socket: Socket, since: number): Promise<{ ms: number; received: string }> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve({ ms: performance.now() - since, received })));
}

describe('HTTP server limits', () => {
  let subject: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    subject = await startTestApp({
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await subject.close();
  });

  it('closes requests whose body stalls after the request timeout, and those whose headers stall after the headers timeout', async () => {
    const started = performance.now();
    const stalledBody = await open(subject.url);
    const stalledHeaders = await open(subject.url);
    sockets.push(stalledBody, stalledHeaders);
    stalledBody.write('POST /webhooks/slack HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":');
    stalledHeaders.write('POST /webhooks/slack HTTP/1.1\r\nHost: x\r\n');
    const [body, headers] = await Promise.all([closedAfter(stalledBody, started), closedAfter(stalledHeaders, started)]);

    expect(body.received).toMatch(/^HTTP\/1\.1 408/);
    expect(body.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(body.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1000);
    expect(headers.received).toMatch(/^HTTP\/1\.1 408/);
    expect(headers.ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(headers.ms).toBeLessThan(REQUEST_TIMEOUT_MS);
    // Requests that do finish are served as before.
    expect((await fetch(`${subject.url}/healthz`)).status).toBe(200);
  });

  it('refuses connections beyond the cap, and takes new ones once some close', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(subject.url)));
    sockets.push(...held);
    // Each is accepted: a request on it is answered.
    held[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => held[0]!.once('data', resolve));

    const beyond = await open(subject.url);
    sockets.push(beyond);
    const refused = await closedAfter(beyond, performance.now());
    expect(refused.received).toBe('');

    for (const socket of held) socket.destroy();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = await fetch(`${subject.url}/healthz`).then((response) => response.status, () => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });
});
