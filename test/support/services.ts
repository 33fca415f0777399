/**
 * Where the test run finds this machine's PostgreSQL and Redis. Tests always use the real
 * servers; a missing one fails the run (never a skip), with the command that starts it.
 */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const testDatabaseUrl = (name: string): string => {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
