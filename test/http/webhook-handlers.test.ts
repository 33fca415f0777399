import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { WebhookJob } from '../../src/webhooks/handlers/webhook-handler.js';
import type { WebhookHandlerSetup } from '../../src/webhooks/handlers/webhook-handler-registry.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhook-worker.js';
import { cloneTemplateDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_REDIS_URL, testDatabaseUrl } from '../support/services.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Resolves with the first job `take` accepts, from the handler the setup registers. */
function recordingHandlers(): { setup: WebhookHandlerSetup; handled: WebhookJob[]; next: (id: string) => Promise<WebhookJob> } {
  const handled: WebhookJob[] = [];
  const waiting = new Map<string, (job: WebhookJob) => void>();
  return {
    handled,
    setup: (handlers) =>
      handlers.on('acme', 'invoice.paid', async (webhook) => {
        handled.push(webhook);
        waiting.get(webhook.id)?.(webhook);
      }),
    next: (id) => {
      const done = handled.find((job) => job.id === id);
      return done ? Promise.resolve(done) : new Promise((resolve) => waiting.set(id, resolve));
    },
  };
}

describe("a deployment's own webhook handlers", () => {
  const organizationId = randomUUID();
  const redisPrefix = testRedisPrefix('handlers');
  let databaseName: string;
  let integrationId: string;
  let admin: pg.Client;

  beforeAll(async () => {
    databaseName = await cloneTemplateDatabase();
    admin = new pg.Client({ connectionString: testDatabaseUrl(databaseName) });
    await admin.connect();
    const { rows } = await admin.query<{ id: string }>(
      `insert into integrations (organization_id, provider_id, provider_name, status) values ($1, 'acme', 'Acme', 'connected') returning id`,
      [organizationId],
    );
    integrationId = rows[0]!.id;
  });
  afterAll(async () => {
    await admin?.end();
    await deleteRedisKeys(redisPrefix);
  });

  const statusOf = async (id: string): Promise<string | undefined> =>
    (await admin.query<{ status: string }>('select status from webhook_events where id = $1', [id])).rows[0]?.status;

  describe('in the server (createApp)', () => {
    let app: TestApp;
    const recorder = recordingHandlers();
    beforeAll(async () => {
      app = await startTestApp({ REDIS_PREFIX: redisPrefix }, { databaseName, webhookHandlers: recorder.setup });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('runs them for events added through app.webhooks.queue, the seed’s queue.add', async () => {
      const id = await app.app.webhooks.queue.add({ integrationId, event: 'invoice.paid', payload: { invoice: 'inv_1' } });
      const job = await recorder.next(id!);
      expect(job).toMatchObject({ organizationId, integrationId, provider: 'acme', event: 'invoice.paid', payload: { invoice: 'inv_1' }, attempt: 1 });
      for (let tries = 0; tries < 100 && (await statusOf(id!)) !== 'completed'; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await statusOf(id!)).toBe('completed');
      const stats = await app.app.webhooks.queue.getStats(organizationId);
      expect(stats).toMatchObject({ pending: 0, failed: 0 });
    });
  });

  describe('in a standalone worker (startWebhookWorker)', () => {
    let app: TestApp;
    let worker: WebhookWorker;
    const recorder = recordingHandlers();
    beforeAll(async () => {
      // The server ingests only; the worker, with the deployment's handlers, processes.
      app = await startTestApp({ REDIS_PREFIX: redisPrefix }, { databaseName, webhookWorker: false });
      const config = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: testDatabaseUrl(databaseName),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        AUTH_JWT_SECRET: 'worker-test-secret-worker-test-secret-0123',
        LOG_LEVEL: 'warn',
      });
      worker = await startWebhookWorker(config, { webhookHandlers: recorder.setup });
    });
    afterAll(async () => {
      await worker?.close();
      await app?.close();
    });

    it('runs them for events the server stored', async () => {
      const id = await app.app.webhooks.queue.add({ integrationId, event: 'invoice.paid', payload: { invoice: 'inv_2' } });
      expect(await recorder.next(id!)).toMatchObject({ integrationId, payload: { invoice: 'inv_2' } });
    });
  });
});
