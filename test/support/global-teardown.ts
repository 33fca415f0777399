import pg from 'pg';
import { Redis } from 'ioredis';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL } from './services.ts';

/**
 * Drops every database this run created (the template and each file's clone) and deletes every
 * Redis key under the run's id. Tests delete their own keys; what is left here is a leak (or a
 * test that failed before its clean-up), and the line printed names its namespaces.
 */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) return;
  await Promise.all([dropDatabases(runId), deleteRedisKeys(runId)]);
}

async function dropDatabases(runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${runId}%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// Not test/support/redis.ts's helper: jest loads this file outside its module mapping, where that
// file's `./services.js` import does not resolve (hence `./services.ts` above).
async function deleteRedisKeys(runId: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const namespaces = new Set<string>();
  let deleted = 0;
  try {
    await redis.connect();
    // The run id is letters, digits and _: no glob character to escape.
    for await (const keys of redis.scanStream({ match: `${runId}*`, count: 500 })) {
      if ((keys as string[]).length === 0) continue;
      for (const key of keys as string[]) {
        const colon = key.indexOf(':');
        namespaces.add(colon === -1 ? key : key.slice(0, colon));
      }
      deleted += await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
  if (deleted > 0) process.stdout.write(`\nglobal teardown: deleted ${deleted} Redis key(s) tests left under ${[...namespaces].join(', ')}\n`);
}
