import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { withDevelopmentSecrets } from '../../src/development-secrets.js';
import { createLogger } from '../../src/logger.js';
import { cloneTemplateDatabase } from '../support/database.js';
import { testDatabaseUrl } from '../support/services.js';

/**
 * Development mode hands out an admin token of the demo organization (`GET /auth/dev-token`): it
 * listens on loopback unless HOST says otherwise, and even then serves the token to callers on
 * this machine only, whatever a proxy header claims.
 */
let dataDir: string;
let databaseName: string;
const apps: App[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-token-'));
  databaseName = await cloneTemplateDatabase();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A development instance (no auth configured) on this run's database, with its log lines. */
async function startDevelopmentApp(env: NodeJS.ProcessEnv = {}): Promise<{ app: App; logs: string[] }> {
  const config = await withDevelopmentSecrets(
    loadConfig({ NODE_ENV: 'development', PORT: '0', DATA_DIR: dataDir, DATABASE_URL: testDatabaseUrl(databaseName), LOG_LEVEL: 'info', ...env }),
  );
  expect(config.auth.development).toBe(true);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const app = await createApp(config, { logger: createLogger({ level: 'info', destination }), webhookWorker: false, clientDir: '/nonexistent' });
  apps.push(app);
  await app.listen();
  return { app, logs };
}

/** An address of this machine that is not loopback: a connection to it comes from it. */
function nonLoopbackAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
  if (!address) throw new Error('this test needs a network interface besides loopback');
  return address;
}

const port = (app: App) => (app.httpServer.address() as AddressInfo).port;
const devToken = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/auth/dev-token`, { headers });

describe('development mode, HOST unset', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await startDevelopmentApp());
  });

  it('listens on loopback only', () => {
    expect((app.httpServer.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('serves the development token to a caller on this machine', async () => {
    const response = await devToken(`http://127.0.0.1:${port(app)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(((await response.json()) as { token: string }).token.split('.')).toHaveLength(3);
  });

  it.each([
    ['X-Forwarded-For naming a remote caller', { 'x-forwarded-for': '203.0.113.7' }],
    ['X-Forwarded-For a remote caller wrote as loopback, with the address the proxy appended', { 'x-forwarded-for': '127.0.0.1, 203.0.113.7' }],
    ['X-Real-IP naming a remote caller', { 'x-real-ip': '203.0.113.7' }],
    ['Forwarded naming a remote caller', { forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https' }],
    ['Forwarded hiding the caller', { forwarded: 'for=_hidden' }],
  ])('refuses a remote caller relayed by a proxy on this machine: %s', async (_case, headers) => {
    const response = await devToken(`http://127.0.0.1:${port(app)}`, headers);
    expect(response.status).toBe(403);
    expect(JSON.stringify(await response.json())).not.toMatch(/token"\s*:\s*"ey/);
  });

  it('serves a local caller relayed by a local proxy (the UI dev server)', async () => {
    const response = await devToken(`http://127.0.0.1:${port(app)}`, { 'x-forwarded-for': '127.0.0.1', forwarded: 'for="[::1]:5173"' });
    expect(response.status).toBe(200);
  });
});

describe('development mode, HOST=0.0.0.0', () => {
  let app: App;
  let logs: string[];
  beforeAll(async () => {
    ({ app, logs } = await startDevelopmentApp({ HOST: '0.0.0.0' }));
  });

  it('listens where HOST says, with a warning', () => {
    expect((app.httpServer.address() as AddressInfo).address).toBe('0.0.0.0');
    expect(logs.some((line) => line.includes('"level":40') && line.includes('development mode listening beyond loopback'))).toBe(true);
  });

  it('refuses the development token to a caller from another address', async () => {
    const response = await devToken(`http://${nonLoopbackAddress()}:${port(app)}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'the development token is served to callers on this machine only' });
  });

  it('still serves it on loopback', async () => {
    expect((await devToken(`http://127.0.0.1:${port(app)}`)).status).toBe(200);
  });
});
