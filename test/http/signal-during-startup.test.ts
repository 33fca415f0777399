import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { freePort } from '../support/free-port.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

let server: ServerProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await server?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * A supervisor may stop a process it has only just started. The signal handler is there from
 * the beginning: start-up finishes, what it started is closed, and the process exits 0 without
 * ever listening (the embedded database's start-up is the slow part this signal lands in).
 */
it('stops cleanly on SIGTERM during start-up, without listening', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'signal-startup-'));
  server = startServerProcess(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'info',
  });
  await server.waitForOutput(/using the embedded PostgreSQL/);
  server.child.kill('SIGTERM');
  const code = await server.exited;
  expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
  expect(server.output()).toMatch(/"starting":true,"msg":"shutting down"/);
  expect(server.output()).toMatch(/"msg":"stopped"/);
  expect(server.output()).not.toMatch(/integrations subgraph listening/);
}, 60_000);
