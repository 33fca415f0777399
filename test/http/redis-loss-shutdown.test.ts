import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cloneTemplateDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { startPacketDropProxy, type PacketDropProxy } from '../support/packet-drop-proxy.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { startServerMain, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { TEST_REDIS_URL, testDatabaseUrl } from '../support/services.js';

/** "Prompt": well within an orchestrator's patience, and far from the 25 s limit. */
const PROMPT_MS = 5000;

/**
 * Redis stops answering (packets dropped, nobody told) and the process is asked to stop: a QUIT
 * that waits for a reply, or a BullMQ close waiting on its blocking connection, must not hold
 * shutdown until the 25 s limit.
 */
describe.each(['server', 'worker'] as const)('SIGTERM to the %s while Redis is unreachable', (kind) => {
  let proxy: PacketDropProxy;
  let process_: ServerProcess;
  const prefix = testRedisPrefix(`redis-loss-${kind}`);

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await startPacketDropProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    redis.port = String(proxy.port);
    const env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: testDatabaseUrl(await cloneTemplateDatabase()),
      REDIS_URL: redis.toString(),
      REDIS_PREFIX: prefix,
      AUTH_JWT_SECRET: 'redis-loss-secret-redis-loss-secret-0123456',
      INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
    };
    if (kind === 'server') {
      ({ server: process_ } = await startServerMain(env));
    } else {
      process_ = startServerProcess(globalThis.process.execPath, ['--import', './scripts/register.mjs', 'src/worker.ts'], env);
      await process_.waitForOutput(/"msg":"webhook worker started"/);
    }
  }, 60_000);
  afterAll(async () => {
    await process_?.kill();
    await proxy?.close();
    await deleteRedisKeys(prefix);
  });

  it('exits 0 promptly', async () => {
    // Let the BullMQ worker settle into its blocking wait for jobs first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalledAt = performance.now();
    process_.child.kill('SIGTERM');
    const code = await process_.exited;
    const ms = performance.now() - signalledAt;
    expect({ code, output: code === 0 ? '' : process_.output().slice(-3000) }).toEqual({ code: 0, output: '' });
    expect(ms).toBeLessThan(PROMPT_MS);
  }, 60_000);
});
