import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type App, type AppOverrides } from '../../../src/app.js';
import { mintDevelopmentToken, type DevelopmentTokenOptions } from '../../../src/auth/development-token.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { cloneTemplateDatabase } from '../../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../../support/redis.js';
import { TEST_REDIS_URL, testDatabaseUrl } from '../../support/services.js';

export const TEST_JWT_SECRET = 'http-test-secret-http-test-secret-0123456789';
export const TEST_ISSUER = 'https://issuer.test';
export const TEST_AUDIENCE = 'integrations';

export interface TestApp {
  app: App;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every log line the app wrote, raw. */
  logs: string[];
  /** A valid token for this app (HS256 with its secret, issuer and audience). */
  token(options?: DevelopmentTokenOptions): Promise<string>;
  close(): Promise<void>;
}

/** Collects pino's output in memory (level debug), so tests can read what was logged. */
function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { lines, stream };
}

/**
 * The real composition root on a database of its own (cloned from the run's migrated template)
 * and this machine's Redis under a prefix of its own, listening on port 0. Instances that must
 * meet share a `REDIS_PREFIX` given in `env` (made with `testRedisPrefix`); their test deletes
 * its keys. A prefix made here is this app's alone, and `close` deletes its keys.
 */
export async function startTestApp(
  env: NodeJS.ProcessEnv = {},
  overrides: AppOverrides & { databaseName?: string } = {},
): Promise<TestApp> {
  const databaseName = overrides.databaseName ?? (await cloneTemplateDatabase());
  const ownRedisPrefix = env.REDIS_PREFIX === undefined ? testRedisPrefix('http') : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: testDatabaseUrl(databaseName),
    REDIS_URL: TEST_REDIS_URL,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'debug',
    ...(ownRedisPrefix ? { REDIS_PREFIX: ownRedisPrefix } : {}),
    ...env,
  });
  const { lines, stream } = captureLogs();
  const app = await createApp(config, {
    logger: createLogger({ level: config.logLevel, destination: stream }),
    clientDir: '/nonexistent',
    ...overrides,
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    logs: lines,
    token: (options) => mintDevelopmentToken(config.auth, options),
    async close() {
      await app.close();
      if (ownRedisPrefix) await deleteRedisKeys(ownRedisPrefix);
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs an operation as JSON (what every real client does). */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  options: { token?: string; authorization?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
}
