import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { countEvents, inbound, insertIntegration, SLACK_SIGNING_SECRET, slackEvent, slackHeaders, testCipher } from './support/webhook-fixtures.js';

const INGEST_TIMEOUT_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A delivery answered 503 (not stored in time) must never be stored afterwards: the provider
 * delivers it again, and a backlog of given-up stores would land on the database all at once
 * when it returns.
 */
describe('a store given up at the ingest timeout', () => {
  let testDb: TestDatabase;
  let pipeline: WebhookPipeline;
  const pubsub = new InMemoryPubSub();
  const team = `T${randomBytes(4).toString('hex')}`;
  const stored = (eventId: string) => countEvents(testDb.database, 'delivery_id like ?', [`%:${eventId}`]);
  const deliver = (eventId: string) => {
    const body = slackEvent(team, 'message', eventId);
    return pipeline.ingest(inbound('slack', body, slackHeaders(body)));
  };

  beforeAll(async () => {
    // One connection, so the test can take it and leave ingest waiting.
    testDb = await createTestDatabase({ poolSize: 1 });
    await insertIntegration(testDb.database, newOrganizationId(), 'slack', team);
    pipeline = createWebhookPipeline({ database: testDb.database, pubsub, cipher: testCipher(), slackSigningSecret: SLACK_SIGNING_SECRET, ingestTimeoutMs: INGEST_TIMEOUT_MS });
    expect((await deliver('EvWARM')).status).toBe(200); // routing is cached from here on
  });
  afterAll(async () => {
    await pipeline.close();
    await pubsub.close();
    await testDb.close();
  });

  it('is dropped while it waits for a connection', async () => {
    const pool = await testDb.database.orm.em.getConnection().getNativeClient();
    const held = await pool.connect();
    let released = false;
    try {
      expect((await deliver('EvWAITING')).status).toBe(503);
      held.release();
      released = true;
      await sleep(500);
      expect(await stored('EvWAITING')).toBe(0);
      expect((await deliver('EvNEXT')).status).toBe(200);
    } finally {
      if (!released) held.release();
    }
  });

  it('is cancelled at the server when its INSERT arrived but waits there', async () => {
    // A lock that conflicts with INSERT (ROW EXCLUSIVE), held from another session.
    const locker = new pg.Client({ connectionString: testDb.url });
    await locker.connect();
    try {
      await locker.query('begin; lock table webhook_events in share mode');
      const answer = await deliver('EvBLOCKED');
      expect(answer.status).toBe(503);
      await sleep(200);
      await locker.query('commit');
      await sleep(500);
      expect(await stored('EvBLOCKED')).toBe(0);
      expect((await deliver('EvAFTERLOCK')).status).toBe(200);
    } finally {
      await locker.end();
    }
  });
});
