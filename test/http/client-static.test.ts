import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';

let clientDir: string;
let subject: TestApp;

beforeAll(async () => {
  clientDir = await mkdtemp(path.join(tmpdir(), 'client-dist-'));
  await mkdir(path.join(clientDir, 'assets'));
  await writeFile(path.join(clientDir, 'index.html'), '<!doctype html><title>Integrations</title><div id="root"></div>');
  await writeFile(path.join(clientDir, 'assets', 'app-1a2b.js'), 'console.log("ui")');
  subject = await startTestApp({}, { clientDir });
});
afterAll(async () => {
  await subject?.close();
  await rm(clientDir, { recursive: true, force: true });
});

it('serves the built UI at / with an SPA fallback, never shadowing the service routes', async () => {
  const index = await fetch(`${subject.url}/`, { headers: { accept: 'text/html' } });
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('<title>Integrations</title>');
  expect(index.headers.get('cache-control')).toBe('no-cache');

  const asset = await fetch(`${subject.url}/assets/app-1a2b.js`);
  expect(await asset.text()).toBe('console.log("ui")');

  const deepLink = await fetch(`${subject.url}/integrations?connected=google`, { headers: { accept: 'text/html' } });
  expect(await deepLink.text()).toContain('<div id="root">');

  expect((await fetch(`${subject.url}/healthz`, { headers: { accept: 'text/html' } })).headers.get('content-type')).toContain('application/json');
  expect((await fetch(`${subject.url}/webhooks/nope`, { headers: { accept: 'text/html' } })).status).toBe(404);
  expect((await fetch(`${subject.url}/missing.js`, { headers: { accept: 'application/javascript' } })).status).toBe(404);
});
