import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getProviderHealth } from '../../src/resilience/provider-breakers.js';
import { startTestApp, type TestApp } from '../http/support/test-app.js';
import { GOOGLE_ACCESS_TOKEN } from '../support/fake-google.js';
import { eventually } from '../webhooks/support/recorder.js';
import { seedConnectedIntegration } from './support/seed-connected-integration.js';

/**
 * Google's Drive endpoints as a provider that stalls: a download that stops sending half-way,
 * an update (`PATCH /upload/drive/v3/files/:id`) that reads the whole body and never answers, an
 * `about` that never answers at all, and a media upload that answers once it has the body; and a
 * large download sent as fast as its reader takes it.
 */
class StallingDrive {
  readonly server: Server;
  /** Responses left hanging, and whether the proxy closed their connection. */
  readonly stalled: { response: ServerResponse; closed: boolean }[] = [];
  uploadedBytes = 0;
  /** Whether the large download was written to its end. */
  largeSent = false;

  constructor() {
    this.server = createServer((request, response) => this.#handle(request, response));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://drive.invalid');
    const stall = (): void => {
      const entry = { response, closed: false };
      response.once('close', () => (entry.closed = true));
      this.stalled.push(entry);
    };
    if (request.headers.authorization !== `Bearer ${GOOGLE_ACCESS_TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED' } }));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/drive/v3/files/stalled' && url.searchParams.get('alt') === 'media') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(randomBytes(64 * 1024));
      stall();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/drive/v3/files/large' && url.searchParams.get('alt') === 'media') {
      this.largeSent = false;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': LARGE_CHUNKS * LARGE_CHUNK.length });
      let sent = 0;
      const send = (): void => {
        while (sent < LARGE_CHUNKS) {
          sent += 1;
          if (sent === LARGE_CHUNKS) {
            response.end(LARGE_CHUNK, () => (this.largeSent = true));
            return;
          }
          if (!response.write(LARGE_CHUNK)) {
            response.once('drain', send);
            return;
          }
        }
      };
      send();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/drive/v3/about') return stall();
    let received = 0;
    request.on('data', (chunk: Buffer) => (received += chunk.length));
    request.on('end', () => {
      this.uploadedBytes = received;
      if (request.method === 'PATCH') return stall();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'drive#file', id: 'slow-upload', mimeType: 'application/octet-stream' }));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** 64 MB: more than the socket buffers of both hops hold, so a reader that stops holds the provider up. */
const LARGE_CHUNK = randomBytes(1024 * 1024);
const LARGE_CHUNKS = 64;

const drive = new StallingDrive();
let subject: TestApp;
let integrationId: string;
let token: string;
let driveUrl: string;

beforeAll(async () => {
  driveUrl = await drive.start();
  subject = await startTestApp({ GOOGLE_API_BASE_URL: driveUrl, PROXY_TIMEOUT_SECONDS: '1' });
  const organizationId = randomUUID();
  integrationId = await seedConnectedIntegration(subject.app, { organizationId, providerId: 'google', accessToken: GOOGLE_ACCESS_TOKEN });
  token = await subject.token({ organizationId });
});

afterAll(async () => {
  await subject?.close();
  await drive.close();
});

const proxied = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${subject.url}/proxy/${integrationId}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });

describe('PROXY_TIMEOUT_SECONDS', () => {
  it('cuts an answer whose provider stops sending, and closes the provider’s connection', async () => {
    const response = await proxied('/drive/v3/files/stalled?alt=media');
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    expect(drive.stalled.at(-1)?.closed).toBe(true);
  });

  it('does not cut a large download while its caller holds it, for longer than the timeout, and passes it on whole', async () => {
    const before = getProviderHealth('google').consecutiveFailures;
    const received = await new Promise<number>((resolve, reject) => {
      const target = new URL(`${subject.url}/proxy/${integrationId}/drive/v3/files/large?alt=media`);
      const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: { authorization: `Bearer ${token}` }, agent: false }, (response) => {
        let bytes = 0;
        response.once('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Twice the provider's time, and more: held by the caller, not stalled by the provider.
          response.pause();
          setTimeout(() => {
            response.on('data', (more: Buffer) => (bytes += more.length));
            response.resume();
          }, 2_500);
        });
        response.once('end', () => resolve(bytes));
        response.once('error', reject);
      });
      request.once('error', reject);
      request.end();
    });
    expect(received).toBe(LARGE_CHUNKS * LARGE_CHUNK.length);
    expect(drive.largeSent).toBe(true);
    expect(getProviderHealth('google').consecutiveFailures).toBe(before);
  });

  it('lets an upload run at the caller’s pace past the timeout, without counting it against the provider', async () => {
    const before = getProviderHealth('google').consecutiveFailures;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 2) return controller.close();
        // The caller pauses longer than the provider is given to answer.
        if (sent === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
        controller.enqueue(randomBytes(32 * 1024));
        sent += 1;
      },
    });
    const response = await proxied('/upload/drive/v3/files?uploadType=media', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(drive.uploadedBytes).toBe(64 * 1024);
    expect(getProviderHealth('google').consecutiveFailures).toBe(before);
  });

  it('answers 502 when the provider does not answer once it has the whole body', async () => {
    const response = await proxied('/upload/drive/v3/files/slow-upload?uploadType=media', {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(randomBytes(1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('answers 502 when the provider does not answer a GET, and counts that against its breaker', async () => {
    const before = getProviderHealth('google').consecutiveFailures;
    const response = await proxied('/drive/v3/about?fields=user');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: 'google did not answer in time; try again later' });
    expect(getProviderHealth('google').consecutiveFailures).toBeGreaterThan(before);
  });
});

describe('a caller that goes away', () => {
  // The provider is given a minute here: whatever ends its connection within the wait below is the caller.
  let patient: TestApp;
  let patientIntegration: string;
  let patientOrganization: string;
  let patientToken: string;

  beforeAll(async () => {
    patient = await startTestApp({ GOOGLE_API_BASE_URL: driveUrl, PROXY_TIMEOUT_SECONDS: '60' });
    patientOrganization = randomUUID();
    patientIntegration = await seedConnectedIntegration(patient.app, { organizationId: patientOrganization, providerId: 'google', accessToken: GOOGLE_ACCESS_TOKEN });
    patientToken = await patient.token({ organizationId: patientOrganization });
  });

  afterAll(async () => {
    await patient?.close();
  });

  const lastStalledClosed = async (): Promise<boolean> => drive.stalled.at(-1)?.closed === true;

  it('ends the provider’s answer when the caller hangs up half-way through it', async () => {
    const before = drive.stalled.length;
    await new Promise<void>((resolve, reject) => {
      const target = new URL(`${patient.url}/proxy/${patientIntegration}/drive/v3/files/stalled?alt=media`);
      const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: { authorization: `Bearer ${patientToken}` }, agent: false }, (response) => {
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.once('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.end();
    });
    expect(drive.stalled.length).toBe(before + 1);
    await eventually(lastStalledClosed, 30_000, 'the provider’s connection closed');
  });

  it('ends the provider’s request when the library caller’s signal aborts before the answer', async () => {
    const before = drive.stalled.length;
    const controller = new AbortController();
    const answer = patient.app.services.connections!.proxy(patientIntegration, { path: '/drive/v3/about?fields=user', signal: controller.signal }, { organizationId: patientOrganization });
    await eventually(async () => drive.stalled.length > before, 30_000, 'the request reaching the provider');
    controller.abort();
    await expect(answer).rejects.toThrow();
    await eventually(lastStalledClosed, 30_000, 'the provider’s connection closed');
  });
});
