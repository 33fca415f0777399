import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../../src/app.js';
import { mintDevelopmentToken } from '../../../src/auth/development-token.js';
import { loadConfig } from '../../../src/config.js';
import type { Database } from '../../../src/db/database.js';
import type { GraphQLServices } from '../../../src/graphql/services.js';
import type { PubSub } from '../../../src/pubsub/topics.js';
import { cloneTemplateDatabase } from '../../support/database.js';
import { TEST_REDIS_URL, testDatabaseUrl } from '../../support/services.js';

export interface GraphQLTestServer {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  app: App;
  database: Database;
  pubsub: PubSub;
  services: GraphQLServices;
  token(organizationId: string, options?: { userId?: string; roles?: string[] }): Promise<string>;
  /** POSTs an operation; returns the parsed body. */
  query<T = Record<string, unknown>>(
    source: string,
    options?: { token?: string; variables?: Record<string, unknown> },
  ): Promise<{ data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] }>;
  close(): Promise<void>;
}

export interface GraphQLTestServerOptions {
  /** Share a database between instances; a fresh clone of the migrated template otherwise. */
  databaseName?: string;
  /**
   * Redis under this `REDIS_PREFIX` (instances sharing it see each other; the test deletes its
   * keys: `deleteRedisKeys`); in-process pub/sub and the database queue otherwise.
   */
  redisPrefix?: string;
  /** Counts SQL statements (createDatabase's `onQuery`). */
  onQuery?: (sql: string) => void;
  /**
   * The response cache, off unless asked for: these tests seed rows with plain SQL, which
   * announces no change (the application's writes all do).
   * @default false
   */
  responseCache?: boolean;
}

const JWT_SECRET = randomBytes(32).toString('hex');

/**
 * The real application (`createApp`: express, Apollo Server, graphql-ws, JWT verification, the
 * error mapping and operation limits) on port 0, over a test database of its own. Google has
 * (fake) client credentials and the other providers none, so `configured` has both answers.
 */
export async function startGraphQLTestServer(options: GraphQLTestServerOptions = {}): Promise<GraphQLTestServer> {
  const databaseName = options.databaseName ?? (await cloneTemplateDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: testDatabaseUrl(databaseName),
    ...(options.redisPrefix ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: options.redisPrefix } : {}),
    AUTH_JWT_SECRET: JWT_SECRET,
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    GOOGLE_CLIENT_ID: 'test-client',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    LOG_LEVEL: 'silent',
    RESPONSE_CACHE_MB: options.responseCache ? '16' : '0',
    // Read-side tests count statements: no subscription scheduler polling in the background.
    SUBSCRIPTION_SCHEDULER: 'off',
  });
  const app = await createApp(config, {
    // Read-side tests need seeded rows to stay as seeded: no queue worker picking up PENDING ones.
    webhookWorker: false,
    ...(options.onQuery ? { database: { onQuery: options.onQuery } } : {}),
  });
  const url = `${await app.listen(0, '127.0.0.1')}/graphql`;

  return {
    url,
    app,
    database: app.database,
    pubsub: app.pubsub,
    services: app.services,
    token: (organizationId, tokenOptions = {}) =>
      mintDevelopmentToken(config.auth, { organizationId, userId: tokenOptions.userId ?? 'user-1', roles: tokenOptions.roles ?? [] }),
    async query(source, queryOptions = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(queryOptions.token ? { authorization: `Bearer ${queryOptions.token}` } : {}),
        },
        body: JSON.stringify({ query: source, variables: queryOptions.variables }),
      });
      return (await response.json()) as never;
    },
    close: () => app.close(),
  };
}
