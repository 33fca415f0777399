import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { Writable } from 'node:stream';
import { createApp, type App, type AppOverrides } from '../../../src/app.js';
import { mintDevelopmentToken } from '../../../src/auth/development-token.js';
import { loadConfig } from '../../../src/config.js';
import { sealIntegrationToken } from '../../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../../src/crypto/key-ring.js';
import { createTokenCipher } from '../../../src/crypto/token-sealing.js';
import type { ProviderSubscriptionSnapshot } from '../../../src/pubsub/topics.js';
import { createLogger } from '../../../src/logger.js';
import { ProviderBreakerRegistry } from '../../../src/resilience/provider-breakers.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { ASANA_ACCESS_TOKEN, createFakeAsana, type FakeAsana } from '../../support/fake-asana.js';
import { FakeClock } from '../../support/fake-clock.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN, type FakeGoogle, type FakeGoogleOptions } from '../../support/fake-google.js';
import { createFakeMicrosoft, GRAPH_ACCESS_TOKEN, type FakeMicrosoft } from '../../support/fake-microsoft.js';
import { RequestLog } from '../../support/fake-request-log.js';
import { installGmailProfile } from './fake-gmail-profile.js';
import { freePort } from '../../support/free-port.js';
export { freePort };

export const TEST_JWT_SECRET = 'subscriptions-test-secret-0123456789-abcdef';

/** A free loopback port: PUBLIC_URL must be known before the app is built. */
export interface ProviderFakes {
  clock: FakeClock;
  log: RequestLog;
  microsoft: FakeMicrosoft;
  google: FakeGoogle;
  asana: FakeAsana;
  /** The service's environment for these fakes (API base URLs, credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The provider fakes on one clock and one request log. */
export async function startProviderFakes(options: { google?: FakeGoogleOptions } = {}): Promise<ProviderFakes> {
  const clock = new FakeClock();
  const log = new RequestLog();
  const microsoft = createFakeMicrosoft({ clock, log });
  const google = createFakeGoogle({ clock, log, ...options.google });
  const asana = createFakeAsana({ clock, log });
  installGmailProfile(google.server, google.tokens);
  await microsoft.server.start();
  await google.server.start();
  await asana.server.start();
  return {
    clock,
    log,
    microsoft,
    google,
    asana,
    env: {
      ASANA_CLIENT_ID: 'asana-client',
      ASANA_CLIENT_SECRET: 'asana-secret',
      ASANA_API_BASE_URL: `${asana.server.url}/api/1.0`,
      MICROSOFT_CLIENT_ID: 'ms-client',
      MICROSOFT_CLIENT_SECRET: 'ms-secret',
      MICROSOFT_API_BASE_URL: `${microsoft.server.url}/v1.0`,
      GOOGLE_CLIENT_ID: 'google-client',
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GOOGLE_API_BASE_URL: google.server.url,
    },
    async close() {
      await microsoft.server.close();
      await google.server.close();
      await asana.server.close();
    },
  };
}

export interface SubscriptionApp {
  app: App;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real composition root with the scheduler loop off (`runDue` drives it), on a given
 * database, its clock shared with the fakes, receiving webhooks at PUBLIC_URL.
 */
export async function startSubscriptionApp(
  databaseUrl: string,
  fakes: ProviderFakes,
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
): Promise<SubscriptionApp> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    INTEGRATION_ENCRYPTION_KEY: ENCRYPTION_KEY,
    SUBSCRIPTION_SCHEDULER: 'off',
    LOG_LEVEL: 'debug',
    ...fakes.env,
    ...env,
  });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const app = await createApp(config, {
    logger: createLogger({ level: 'debug', destination: stream }),
    clientDir: '/nonexistent',
    ...overrides,
    subscriptions: {
      clock: () => fakes.clock.now(),
      // A breaker registry of its own, so one test's provider failures do not open another's circuit.
      breakers: new ProviderBreakerRegistry(),
      ...overrides.subscriptions,
    },
  });
  const url = await app.listen(port, '127.0.0.1');
  return { app, url, logs, close: () => app.close() };
}

/** One key for every app of a test run: apps on one database must open each other's sealed values. */
export const ENCRYPTION_KEY = randomBytes(32).toString('hex');

const TOKENS: Record<string, string> = { microsoft: GRAPH_ACCESS_TOKEN, google: GOOGLE_ACCESS_TOKEN, asana: ASANA_ACCESS_TOKEN };

/** A CONNECTED integration with an access token the provider fake accepts (it never expires here), and a refresh token when given. */
export async function insertConnectedIntegration(
  app: App,
  organizationId: string,
  providerId: string,
  options: { accessToken?: string; refreshToken?: string; connectedBy?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const cipher = createTokenCipher(createKeyRing(app.config.encryptionKeys));
  const accessToken = options.accessToken ?? TOKENS[providerId] ?? 'token';
  await app.database.asSystem((em) =>
    em.execute(
      `insert into integrations (id, organization_id, provider_id, provider_name, status, access_token, refresh_token, token_key_id, connected_by, connected_at)
       values (?, ?, ?, ?, 'connected', ?, ?, ?, ?, now())`,
      [
        id,
        organizationId,
        providerId,
        providerId,
        sealIntegrationToken(cipher, id, 'access_token', accessToken),
        options.refreshToken === undefined ? null : sealIntegrationToken(cipher, id, 'refresh_token', options.refreshToken),
        cipher.keyRing.current.id,
        options.connectedBy ?? 'alice',
      ],
    ),
  );
  return id;
}

export const tokenFor = (app: App, organizationId: string, userId = 'alice', roles: string[] = []): Promise<string> =>
  mintDevelopmentToken(app.config.auth, { organizationId, userId, roles });

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}

export async function graphql<T = Record<string, unknown>>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

export const SUBSCRIPTION_FIELDS = 'id resource status externalId expiresAt renewAt lastNotificationAt lastError missedNotifications createdAt';

/** subscribeToResource through GraphQL; throws on errors. */
export async function subscribe(url: string, token: string, integrationId: string, resource: string): Promise<ProviderSubscriptionSnapshot & { status: string }> {
  const result = await graphql<{ subscribeToResource: ProviderSubscriptionSnapshot }>(
    url,
    token,
    `mutation S($input: SubscribeToResourceInput!) { subscribeToResource(input: $input) { ${SUBSCRIPTION_FIELDS} } }`,
    { input: { integrationId, resource } },
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.subscribeToResource;
}

/** The stored row, read as the superuser would see it (state included). */
export async function storedSubscription(app: App, id: string): Promise<Record<string, unknown>> {
  const [row] = await app.database.asSystem((em) => em.execute<Record<string, unknown>[]>(`select * from provider_subscriptions where id = ?`, [id]));
  if (!row) throw new Error(`no subscription ${id}`);
  return row;
}

/** Every providerSubscriptionChanged message of one organization, in order. */
export function recordSubscriptionChanges(app: App, organizationId: string): { messages: ProviderSubscriptionSnapshot[]; stop(): void } {
  const controller = new AbortController();
  const messages: ProviderSubscriptionSnapshot[] = [];
  const iterator = app.pubsub.subscribe('providerSubscriptionChanged', organizationId, controller.signal);
  void (async () => {
    for await (const message of iterator) messages.push(message);
  })();
  return { messages, stop: () => controller.abort() };
}

/** Lets queued pub/sub deliveries and fake `after` tasks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

export interface SubscriptionTestContext {
  db: TestDatabase;
  fakes: ProviderFakes;
  service: SubscriptionApp;
  organizationId: string;
  /** A token of `alice` in that organization (she connects the integrations of `insertConnectedIntegration`). */
  token: string;
  /** One pass of the app's scheduler, driven by the test (see `SubscriptionScheduler.runDue`). */
  runDue(): Promise<number>;
  /** The events stored through one subscription, oldest first. */
  eventsOf(subscriptionId: string): Promise<{ event_type: string; payload: Record<string, unknown> }[]>;
}

export interface SubscriptionTestOptions {
  /** Runs once the fakes are up, before the app is built (to start what `env` names). */
  beforeApp?(fakes: ProviderFakes): Promise<void>;
  /** More environment for the app. */
  env?(fakes: ProviderFakes): Record<string, string>;
  afterApp?(context: SubscriptionTestContext): Promise<void>;
  /** What the app is built with besides the fakes' clock (the sandbox's clock, say). */
  overrides?(fakes: ProviderFakes): AppOverrides;
}

/**
 * A test file's database, provider fakes and app, made before its tests and closed after them
 * (jest hooks); the returned context is filled in by then.
 */
export function useSubscriptionTest(options: SubscriptionTestOptions = {}): SubscriptionTestContext {
  const context = { organizationId: randomUUID() } as SubscriptionTestContext;
  beforeAll(async () => {
    context.db = await createTestDatabase();
    context.fakes = await startProviderFakes();
    await options.beforeApp?.(context.fakes);
    context.service = await startSubscriptionApp(context.db.url, context.fakes, options.env?.(context.fakes) ?? {}, options.overrides?.(context.fakes));
    context.token = await tokenFor(context.service.app, context.organizationId);
    context.runDue = () => context.service.app.subscriptions.scheduler.runDue();
    context.eventsOf = (subscriptionId) =>
      context.service.app.database.asSystem((em) =>
        em.execute(`select event_type, payload from webhook_events where provider_subscription_id = ? order by created_at, id`, [subscriptionId]),
      );
    await options.afterApp?.(context);
  });
  afterAll(async () => {
    await context.service?.close();
    await context.fakes?.close();
    await context.db?.close();
  });
  return context;
}
