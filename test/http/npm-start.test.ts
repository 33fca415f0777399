import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from '@jest/globals';
import { cloneTemplateDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { portOpen, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { testDatabaseUrl } from '../support/services.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

/**
 * A process manager signals the process it started: for `npm start` that is npm, and the server
 * under it must drain and stop, not outlive it holding the port.
 */
it('stops the server when the `npm start` process gets SIGTERM', async () => {
  const port = await freePort();
  server = startServerProcess('npm', ['run', 'start'], {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl(await cloneTemplateDatabase()),
    AUTH_JWT_SECRET: 'npm-start-secret-npm-start-secret-0123456789',
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
  });
  const [, url] = await server.waitForOutput(/"url":"(http:\/\/[^"]+)\/graphql"/);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);

  server.child.kill('SIGTERM');
  const code = await server.exited;
  // The server drained (its own shutdown log) and let go of the port.
  await server.waitForOutput(/"msg":"stopped"/);
  let open = true;
  for (let attempt = 0; attempt < 50 && open; attempt++) {
    open = await portOpen(port);
    if (open) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(open).toBe(false);
  expect(code).toBe(0);
}, 90_000);
