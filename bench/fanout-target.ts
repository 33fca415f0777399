/**
 * One service instance for `bench/fanout.ts`, in a process of its own: the real composition root
 * (`createApp`) in production mode with PostgreSQL and Redis (BullMQ queue, Redis pub/sub) and its
 * in-process webhook worker, as a deployment runs it. Prints `ready <port>` when listening; on
 * SIGTERM closes and exits, so `--cpu-prof` (BENCH_PROF_DIR) is written.
 */
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export interface FanoutTargetOptions {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  encryptionKey: string;
  slackSigningSecret: string;
}

const options = JSON.parse(process.argv[2]!) as FanoutTargetOptions;
const config = loadConfig({
  NODE_ENV: 'production',
  PORT: '0',
  DATABASE_URL: options.databaseUrl,
  REDIS_URL: options.redisUrl,
  REDIS_PREFIX: options.redisPrefix,
  AUTH_JWT_SECRET: options.jwtSecret,
  INTEGRATION_ENCRYPTION_KEY: options.encryptionKey,
  SLACK_CLIENT_ID: 'bench',
  SLACK_CLIENT_SECRET: 'bench',
  SLACK_SIGNING_SECRET: options.slackSigningSecret,
  LOG_LEVEL: 'warn',
});
const app = await createApp(config, { clientDir: '/nonexistent' });
const url = await app.listen(0, '127.0.0.1');
process.stdout.write(`ready ${new URL(url).port}\n`);
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
