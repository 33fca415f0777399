import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './services.js';

/**
 * A Redis namespace (`REDIS_PREFIX`) of this test run: `<run id>-<label>-<random>`. The test that
 * makes one deletes its keys (`deleteRedisKeys`); the global teardown deletes whatever is left
 * under the run's id, so a failed or killed test leaves nothing behind either.
 */
export function testRedisPrefix(label: string): string {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) throw new Error('test/support/global-setup.ts did not run (TEST_RUN_ID is unset)');
  return `${runId}-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes every key matching `pattern` (a SCAN glob) on the test Redis, never FLUSHALL: the Redis
 * is shared with other runs. Returns how many were deleted.
 */
export async function deleteRedisKeysMatching(pattern: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) deleted += await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Deletes the keys of one namespace: BullMQ's queue keys `<prefix>:<queue>:*` (pub/sub leaves none). */
export const deleteRedisKeys = (prefix: string): Promise<number> => deleteRedisKeysMatching(`${escapeGlob(prefix)}:*`);

const escapeGlob = (value: string): string => value.replace(/[*?[\]\\]/g, '\\$&');
