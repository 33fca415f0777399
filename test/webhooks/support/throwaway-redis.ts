import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../support/free-port.js';

/** A redis-server of this test's own, on a free port, persisting nothing: it may be flushed at will. */
export interface ThrowawayRedis {
  url: string;
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  // The server takes a moment to listen: ioredis reconnects until it does.
  const admin = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => (times > 100 ? null : 50) });
  admin.on('error', () => undefined);
  await admin.ping();
  return {
    url,
    flushAll: async () => void (await admin.flushall()),
    async stop() {
      admin.disconnect();
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}
