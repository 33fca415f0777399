import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';

/**
 * `src/main.ts` as a user runs it with nothing configured: embedded PostgreSQL, in-process
 * pub/sub, development secrets under DATA_DIR, a printed development token; SIGTERM stops it.
 */
let child: ChildProcess;
let dataDir: string;
let output = '';
let exited: Promise<number | null>;

/** Waits until the child has printed something matching `pattern`, or fails if it exits first. */
function waitForOutput(pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = output.match(pattern);
      if (match) {
        child.stdout?.off('data', check);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`main.ts exited (${code}) before printing ${pattern}:\n${output}`)));
    check();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'embedded-default-'));
  child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

it('starts on the embedded default, prints a working development token, serves subscriptions, and stops on SIGTERM', async () => {
  const [, url] = await waitForOutput(/"url":"(http:\/\/[^"]+)\/graphql"/);
  const [, token] = await waitForOutput(/Development token[^\n]*\n\s*\n\s*(\S+)/);
  expect(output).toContain('using the embedded PostgreSQL');
  expect(output).toMatch(/"migration":"Migration\w+","msg":"migration applied"/);

  // The UI's source of the development token.
  const devToken = (await (await fetch(`${url}/auth/dev-token`)).json()) as { token: string };
  expect(devToken.token.split('.')).toHaveLength(3);

  const ready = await fetch(`${url}/readyz`);
  expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up' } });

  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ providers { id configured } integrations { id } webhookQueueStats { pending } }' }),
  });
  const body = (await response.json()) as { data?: { providers: { id: string; configured: boolean }[]; integrations: unknown[] }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  // Every built-in entry, and first the sandbox: configured with nothing set, so a fresh start can connect something.
  expect(body.data?.providers).toHaveLength(BUILT_IN_PROVIDERS.size + 1);
  expect(body.data?.providers[0]).toEqual({ id: 'sandbox', configured: true });
  expect(body.data?.integrations).toEqual([]);

  // graphql-ws on the in-process pub/sub: the socket is accepted and the subscription opens.
  const client = createClient({ url: `${url!.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
  const acknowledged = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  await acknowledged;
  await client.dispose();

  child.kill('SIGTERM');
  const code = await exited;
  // On failure, the process's own output says why (shutdown timed out, or failed).
  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  expect(output).toContain('"msg":"stopped"');
  expect(output).not.toContain(`"${token}"`);
}, 60_000);
