import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, testDatabaseUrl } from './services.ts';

/**
 * Once per run: check PostgreSQL and Redis answer (a missing service fails the run, in CI and
 * out), then create and migrate a template database. Each test file clones it
 * (`createTestDatabase`), so files running in parallel never see each other's rows, and
 * `globalTeardown` drops everything with this run's prefix.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `itest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG_ADMIN_URL} (${(error as Error).message}). Start it: ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    await admin.end();
    throw new Error(
      `Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message}). Start it: ` +
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
    );
  } finally {
    redis.disconnect();
  }

  const template = `${runId}_template`;
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  // MikroORM 7 is ESM-only and jest loads globalSetup as CommonJS: migrate in a child process.
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, ['--import', './scripts/register.mjs', 'test/support/migrate-template.ts', testDatabaseUrl(template)], {
    cwd: root,
    stdio: 'inherit',
  });

  process.env.TEST_RUN_ID = runId;
  process.env.TEST_TEMPLATE_DATABASE = template;
}
