import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postGraphQL, startTestApp, type TestApp } from './support/test-app.js';

/** A local port with nothing listening on it: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let subject: TestApp;

beforeAll(async () => {
  // No in-process webhook worker: BullMQ's Worker.close() waits for a Redis that never comes
  // back, so close() would hang here (a known gap of the webhook pipeline's shutdown).
  subject = await startTestApp({ NODE_ENV: 'production', REDIS_URL: `redis://127.0.0.1:${await deadPort()}` }, { webhookWorker: false });
});
afterAll(async () => {
  await subject?.close();
});

describe('readiness with Redis down', () => {
  it('answers 503 naming redis, while liveness stays 200', async () => {
    const ready = await fetch(`${subject.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', down: ['redis'], checks: { database: 'up', redis: 'down' } });
    expect((await fetch(`${subject.url}/healthz`)).status).toBe(200);
  });
});

describe('production hardening', () => {
  it('refuses introspection', async () => {
    const { status, body } = await postGraphQL(subject.url, '{ __schema { types { name } } }', { token: await subject.token() });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('serves no landing page', async () => {
    const response = await fetch(`${subject.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/sandbox|embeddable/i);
  });

  it('still serves queries and carries no stack trace in errors', async () => {
    const { body } = await postGraphQL(subject.url, '{ integration(id: 1) { id } nope }', { token: await subject.token() });
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|\bat .*\.(ts|js):\d+/);
    const ok = await postGraphQL(subject.url, '{ providers { id } }', { token: await subject.token() });
    expect(ok.body.data).toBeDefined();
  });
});

describe('start-up warnings', () => {
  it('warns when production accepts tokens made for any audience, and not otherwise', async () => {
    expect(subject.logs.join('')).not.toContain('AUTH_AUDIENCE is not set');
    const open = await startTestApp({ NODE_ENV: 'production', AUTH_AUDIENCE: '' }, { webhookWorker: false });
    try {
      expect(open.logs.some((line) => line.includes('"level":40') && line.includes('AUTH_AUDIENCE is not set'))).toBe(true);
    } finally {
      await open.close();
    }
  });
});
