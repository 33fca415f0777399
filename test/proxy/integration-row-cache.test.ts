import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { App } from '../../src/app.js';
import { startTestApp, postGraphQL, type TestApp } from '../http/support/test-app.js';
import { cloneTemplateDatabase, newOrganizationId } from '../support/database.js';
import { createFakeGoogle } from '../support/fake-google.js';
import type { BearerTokens } from '../support/fake-bearer-tokens.js';
import type { FakeProviderServer } from '../support/fake-provider-server.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL, testDatabaseUrl } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../webhooks/support/tcp-proxy.js';
import { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN } from './support/proxied-google.js';
import { seedConnectedIntegration } from './support/seed-connected-integration.js';

/**
 * The token manager's integration rows kept between proxied calls (src/connections/integration-row-cache.ts)
 * inside the real application: a repeated call runs no SQL, and every change reaches the proxy,
 * whether announced on this instance, on another one through Redis, or not at all (a token
 * refused after another instance refreshed it). Statements are counted per instance with `onQuery`.
 */

/** Google with tokens that change: each refresh hands out a new access token; revocation (RFC 7009) refuses a token. */
function createRefreshingGoogle(): { server: FakeProviderServer; tokens: BearerTokens; refreshed: () => number } {
  const { server, tokens } = createFakeGoogle({ accessTokens: [] });
  let refreshed = 0;
  // https://developers.google.com/identity/protocols/oauth2/web-server#offline
  server.route('POST', '/token', (request, check) => {
    const form = request.form();
    check(form.get('grant_type') === 'refresh_token', 'grant_type=refresh_token');
    if (form.get('refresh_token') !== GOOGLE_REFRESH_TOKEN) return { status: 400, json: { error: 'invalid_grant', error_description: 'Bad Request' } };
    refreshed += 1;
    const accessToken = `ya29.refreshed-${refreshed}`;
    tokens.grant(accessToken);
    return { json: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } };
  });
  // https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
  server.route('POST', '/revoke', (request) => {
    tokens.revoke(request.form().get('token') ?? '');
    return { json: {} };
  });
  return { server, tokens, refreshed: () => refreshed };
}

let google: ReturnType<typeof createRefreshingGoogle>;
/** One key for every instance: they open each other's tokens, as a deployment's replicas do. */
const ENCRYPTION_KEY = randomBytes(32).toString('hex');

beforeAll(async () => {
  google = createRefreshingGoogle();
  await google.server.start();
});

afterAll(async () => {
  await google?.server.close();
});

interface Instance {
  test: TestApp;
  /** SQL statements this instance ran so far. */
  statements(): number;
}

async function startInstance(options: { databaseName: string; redisUrl?: string; redisPrefix?: string }): Promise<Instance> {
  let statements = 0;
  const test = await startTestApp(
    {
      INTEGRATION_ENCRYPTION_KEY: ENCRYPTION_KEY,
      GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET,
      GOOGLE_TOKEN_URL: `${google.server.url}/token`,
      GOOGLE_REVOCATION_URL: `${google.server.url}/revoke`,
      GOOGLE_API_BASE_URL: google.server.url,
      // Statements are counted: nothing may run SQL in the background.
      SUBSCRIPTION_SCHEDULER: 'off',
      ...(options.redisUrl !== undefined && { REDIS_URL: options.redisUrl }),
      ...(options.redisPrefix && { REDIS_PREFIX: options.redisPrefix }),
    },
    { databaseName: options.databaseName, webhookWorker: false, database: { onQuery: () => void statements++ } },
  );
  return { test, statements: () => statements };
}

/**
 * Resolves once the instance's pub/sub watch is live (with Redis, once its PSUBSCRIBE is
 * confirmed, or confirmed again after a reconnect): before that, the cache is not used.
 */
async function watchIs(app: App, live: boolean): Promise<void> {
  const probe = app.pubsub.watchOrganizations({ changed: () => undefined, gap: () => undefined });
  try {
    const deadline = Date.now() + 10_000;
    while (probe.live() !== live) {
      if (Date.now() > deadline) throw new Error(`the pub/sub watch did not become ${live ? 'live' : 'not live'}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    probe.stop();
  }
}

/**
 * A connected Google integration of a new organization holding `accessToken` (granted at the
 * fake). Its sync time is set ahead: the throttled sync-time write then never changes it, so no
 * announcement of the test's own calls empties the cache in the middle of a test (in service,
 * that write and its announcement happen once per 5 s per integration).
 */
async function connectedGoogle(instance: Instance, accessToken: string): Promise<{ integrationId: string; organizationId: string; bearer: string }> {
  const { app } = instance.test;
  const organizationId = newOrganizationId();
  google.tokens.grant(accessToken);
  const integrationId = await seedConnectedIntegration(app, { organizationId, providerId: 'google', accessToken, refreshToken: GOOGLE_REFRESH_TOKEN });
  await app.database.asSystem((em) => em.execute(`update integrations set last_sync_at = now() + interval '1 hour' where id = ?`, [integrationId]));
  return { integrationId, organizationId, bearer: await instance.test.token({ organizationId, userId: 'user-1' }) };
}

/** A proxied userinfo call on `instance`, with the SQL statements it cost there. */
async function proxied(instance: Instance, integrationId: string, bearer: string): Promise<{ status: number; body: Record<string, unknown>; statements: number }> {
  const before = instance.statements();
  const response = await fetch(`${instance.test.url}/proxy/${integrationId}/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${bearer}` } });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, statements: instance.statements() - before };
}

/** The Authorization headers and answers of the userinfo calls the fake received from `since` on. */
function userinfoCalls(since: number): [string | undefined, number | undefined][] {
  return google.server.requests.slice(since).flatMap((request) => (request.path === '/oauth2/v3/userinfo' ? [[request.headers.authorization, request.status]] : []));
}

/** Resolves once `app`'s pub/sub has delivered a message about `organizationId` to its watchers. */
function announcementOf(app: App, organizationId: string): Promise<void> {
  return new Promise((resolve) => {
    const watch = app.pubsub.watchOrganizations({
      changed: (changed) => {
        if (changed !== organizationId) return;
        watch.stop();
        resolve();
      },
      gap: () => undefined,
    });
  });
}

async function disconnect(instance: Instance, integrationId: string, bearer: string): Promise<void> {
  const answer = await postGraphQL<{ disconnectIntegration: { status: string } }>(instance.test.url, 'mutation D($id: ID!) { disconnectIntegration(id: $id) { status } }', {
    token: bearer,
    variables: { id: integrationId },
  });
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data?.disconnectIntegration.status).toBe('DISCONNECTED');
}

describe.each([
  ['in-process pub/sub', ''],
  ['Redis pub/sub', TEST_REDIS_URL],
])('one instance (%s)', (_label, redisUrl) => {
  let one: Instance;
  beforeAll(async () => {
    one = await startInstance({ databaseName: await cloneTemplateDatabase(), redisUrl });
    await watchIs(one.test.app, true);
  });
  afterAll(async () => {
    await one?.test.close();
  });

  it('answers a second proxied call within the time to live without any SQL statement', async () => {
    const { integrationId, bearer } = await connectedGoogle(one, 'ya29.busy-integration');
    const first = await proxied(one, integrationId, bearer);
    expect(first).toMatchObject({ status: 200, body: { email: 'ada@example.com' } });
    expect(first.statements).toBeGreaterThan(0);
    const second = await proxied(one, integrationId, bearer);
    expect(second).toMatchObject({ status: 200, body: { email: 'ada@example.com' } });
    expect(second.statements).toBe(0);
  });

  it('refuses at once after a disconnect (409), with no call carrying the old token', async () => {
    const { integrationId, bearer } = await connectedGoogle(one, 'ya29.about-to-disconnect');
    await proxied(one, integrationId, bearer);
    expect((await proxied(one, integrationId, bearer)).statements).toBe(0);
    const since = google.server.requests.length;
    await disconnect(one, integrationId, bearer);
    const after = await proxied(one, integrationId, bearer);
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'DISCONNECTED' });
    expect(userinfoCalls(since)).toEqual([]);
  });

  it('never keeps a miss or a row that is not CONNECTED: a reconnect (even unannounced) counts on the next call', async () => {
    const organizationId = newOrganizationId();
    const bearer = await one.test.token({ organizationId });
    const integrationId = await seedConnectedIntegration(one.test.app, { organizationId, providerId: 'google', accessToken: 'ya29.reconnected', status: 'disconnected' });
    google.tokens.grant('ya29.reconnected');
    for (let call = 0; call < 2; call += 1) {
      const refused = await proxied(one, integrationId, bearer);
      expect(refused.status).toBe(409);
      expect(refused.statements).toBeGreaterThan(0);
    }
    const unknown = newOrganizationId(); // any uuid: no such integration
    for (let call = 0; call < 2; call += 1) expect((await proxied(one, unknown, bearer)).statements).toBeGreaterThan(0);
    // Plain SQL announces nothing: only because the DISCONNECTED row was not kept is this seen.
    await one.test.app.database.asSystem((em) => em.execute(`update integrations set status = 'connected' where id = ?`, [integrationId]));
    expect(await proxied(one, integrationId, bearer)).toMatchObject({ status: 200, body: { email: 'ada@example.com' } });
  });
});

describe('two instances sharing Redis', () => {
  let first: Instance;
  let second: Instance;
  const redisPrefix = testRedisPrefix('row-cache');
  beforeAll(async () => {
    const databaseName = await cloneTemplateDatabase();
    first = await startInstance({ databaseName, redisPrefix });
    second = await startInstance({ databaseName, redisPrefix });
    await Promise.all([watchIs(first.test.app, true), watchIs(second.test.app, true)]);
  });
  afterAll(async () => {
    await first?.test.close();
    await second?.test.close();
    await deleteRedisKeys(redisPrefix);
  });

  it('refuses on one instance (409) an integration disconnected through the other, with no call carrying the old token', async () => {
    const { integrationId, organizationId, bearer } = await connectedGoogle(second, 'ya29.disconnected-elsewhere');
    await proxied(second, integrationId, bearer);
    expect((await proxied(second, integrationId, bearer)).statements).toBe(0);
    // The announcement travels through Redis: until it reaches the other instance, that one may
    // still use the kept row (as a call under way there would). Watchers are told in the order
    // they started, so once this one hears of the organization the cache, started with the app, has.
    const heard = announcementOf(second.test.app, organizationId);
    const since = google.server.requests.length;
    await disconnect(first, integrationId, bearer);
    await heard;
    const after = await proxied(second, integrationId, bearer);
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'INTEGRATION_NOT_CONNECTED', status: 'DISCONNECTED' });
    expect(userinfoCalls(since)).toEqual([]);
  });
});

describe('a refresh on an instance whose announcement never arrives', () => {
  // Separate Redis prefixes: the other instance's messages never reach this one, as with a
  // process running without REDIS_URL, or a message lost without a gap being noticed.
  let here: Instance;
  let elsewhere: Instance;
  let databaseName: string;
  beforeAll(async () => {
    databaseName = await cloneTemplateDatabase();
    here = await startInstance({ databaseName });
    elsewhere = await startInstance({ databaseName });
    await watchIs(here.test.app, true);
  });
  afterAll(async () => {
    await here?.test.close();
    await elsewhere?.test.close();
  });

  it('after a 401 to the kept token, retries with the token read from the database, and reads the row again next time', async () => {
    const { integrationId, bearer } = await connectedGoogle(here, 'ya29.refused-after-refresh');
    await proxied(here, integrationId, bearer);
    expect((await proxied(here, integrationId, bearer)).statements).toBe(0);

    // Google refuses the token early; the other instance meets the 401 first and refreshes.
    google.tokens.revoke('ya29.refused-after-refresh');
    const refreshedBefore = google.refreshed();
    expect((await proxied(elsewhere, integrationId, bearer)).status).toBe(200);
    expect(google.refreshed()).toBe(refreshedBefore + 1);
    const newToken = `Bearer ya29.refreshed-${google.refreshed()}`;

    // Here the kept row still holds the old token: refused once, then the stored one, without another refresh.
    const since = google.server.requests.length;
    const retried = await proxied(here, integrationId, bearer);
    expect(retried).toMatchObject({ status: 200, body: { email: 'ada@example.com' } });
    expect(retried.statements).toBeGreaterThan(0);
    expect(userinfoCalls(since)).toEqual([
      ['Bearer ya29.refused-after-refresh', 401],
      [newToken, 200],
    ]);
    expect(google.refreshed()).toBe(refreshedBefore + 1);

    // The refused row is not served again: the next call reads the database, then keeps the new row.
    const next = await proxied(here, integrationId, bearer);
    expect(next.statements).toBeGreaterThan(0);
    expect((await proxied(here, integrationId, bearer)).statements).toBe(0);
    expect(userinfoCalls(since).slice(2)).toEqual([
      [newToken, 200],
      [newToken, 200],
    ]);
    expect(google.server.violations).toEqual([]);
  });

  it('while the refresh after a 401 waits for the row lock, other calls use the stored token, not the refused one', async () => {
    const { integrationId, bearer } = await connectedGoogle(here, 'ya29.refused-while-locked');
    await proxied(here, integrationId, bearer);
    expect((await proxied(here, integrationId, bearer)).statements).toBe(0);
    google.tokens.revoke('ya29.refused-while-locked');
    expect((await proxied(elsewhere, integrationId, bearer)).status).toBe(200);
    const newToken = `Bearer ya29.refreshed-${google.refreshed()}`;

    // The row's lock held (as by a refresh on a third instance): the refresh here waits for it.
    const holder = new pg.Client({ connectionString: testDatabaseUrl(databaseName) });
    const observer = new pg.Client({ connectionString: testDatabaseUrl(databaseName) });
    await Promise.all([holder.connect(), observer.connect()]);
    try {
      await holder.query('begin');
      await holder.query('select id from integrations where id = $1 for update', [integrationId]);
      const since = google.server.requests.length;
      const refused = proxied(here, integrationId, bearer);
      const waitingForLock = async () =>
        (await observer.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")).rows[0]!.n > 0;
      for (const deadline = Date.now() + 10_000; !(await waitingForLock()); ) {
        if (Date.now() > deadline) throw new Error('the refresh never waited for the row lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The refused token's row is no longer served: this call reads the stored token and needs no refresh.
      let timer: NodeJS.Timeout | undefined;
      const blocked = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), 5_000)));
      const meanwhile = await Promise.race([proxied(here, integrationId, bearer), blocked]).finally(() => clearTimeout(timer));
      expect(meanwhile).toMatchObject({ status: 200 });
      await holder.query('commit');
      expect(await refused).toMatchObject({ status: 200 });
      expect(userinfoCalls(since)).toEqual([
        ['Bearer ya29.refused-while-locked', 401],
        [newToken, 200],
        [newToken, 200],
      ]);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await Promise.all([holder.end(), observer.end()]);
    }
  });
});

describe('a pub/sub gap (the Redis connection drops)', () => {
  let redis: TcpProxy;
  let instance: Instance;
  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    redis = await startTcpProxy(target.hostname, Number(target.port || 6379));
    instance = await startInstance({ databaseName: await cloneTemplateDatabase(), redisUrl: `redis://127.0.0.1:${redis.port}` });
    await watchIs(instance.test.app, true);
  });
  afterAll(async () => {
    redis?.restore();
    await instance?.test.close();
    await redis?.close();
  });

  it('reads the database on every call until the watch is live again, then keeps rows again', async () => {
    const { integrationId, bearer } = await connectedGoogle(instance, 'ya29.through-a-gap');
    await proxied(instance, integrationId, bearer);
    expect((await proxied(instance, integrationId, bearer)).statements).toBe(0);

    redis.cut();
    await watchIs(instance.test.app, false);
    for (let call = 0; call < 3; call += 1) {
      const during = await proxied(instance, integrationId, bearer);
      expect(during.status).toBe(200);
      expect(during.statements).toBeGreaterThan(0);
    }

    redis.restore();
    await watchIs(instance.test.app, true);
    // Nothing read during the gap was kept.
    expect((await proxied(instance, integrationId, bearer)).statements).toBeGreaterThan(0);
    expect((await proxied(instance, integrationId, bearer)).statements).toBe(0);
  });
});
