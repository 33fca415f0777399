import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDatabase, type Database } from '../../src/db/database.js';
import { InMemoryPubSub } from '../../src/pubsub/in-memory-pubsub.js';
import { createWebhookRouter } from '../../src/webhooks/http/webhook-router.js';
import { createWebhookPipeline, type WebhookPipeline } from '../../src/webhooks/webhook-pipeline.js';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { countEvents, insertIntegration, SLACK_SIGNING_SECRET, slackEvent, slackHeaders, testCipher } from './support/webhook-fixtures.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

describe('POST /webhooks/:providerId over HTTP', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let database: Database;
  let pipeline: WebhookPipeline;
  let server: Server;
  let base: string;
  const pubsub = new InMemoryPubSub();
  const org = newOrganizationId();
  const team = `T${randomBytes(4).toString('hex')}`;

  const postSlack = (body: string, headers: Record<string, string> = slackHeaders(body), contentType = 'application/json') =>
    fetch(`${base}/webhooks/slack`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await insertIntegration(testDb.database, org, 'slack', team);
    // The app reaches PostgreSQL through a proxy the test can cut: the shared server stays up.
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(testDb.url).port || 5432));
    const proxied = new URL(testDb.url);
    proxied.port = String(proxy.port);
    database = await createDatabase({ databaseUrl: proxied.toString(), migrate: false });
    pipeline = createWebhookPipeline({ database, pubsub, cipher: testCipher(), slackSigningSecret: SLACK_SIGNING_SECRET, ingestTimeoutMs: 1500 });
    const app = express();
    app.use(createWebhookRouter({ ingest: pipeline.ingest, bodyLimit: '64kb' }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pipeline.close();
    // A pool that leaked connections in the outage never finishes closing; do not hang the run on it.
    await Promise.race([database.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    await proxy.close();
    await pubsub.close();
    await testDb.close();
  });

  it('stores a signed event before answering 200, and answers the url_verification challenge', async () => {
    const body = slackEvent(team, 'message', 'EvHTTP1');
    const response = await postSlack(body);
    expect(response.status).toBe(200);
    expect(await countEvents(testDb.database, `delivery_id like '%:EvHTTP1'`)).toBe(1);
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' });
    const reply = await postSlack(challenge);
    expect([reply.status, await reply.text()]).toEqual([200, 'abc123']);
  });

  it('answers 413 to a body over the limit and 400 to a malformed one, storing nothing', async () => {
    const before = await countEvents(testDb.database);
    const huge = slackEvent(team, 'message', 'EvHUGE', { text: 'x'.repeat(70 * 1024) });
    expect((await postSlack(huge)).status).toBe(413);
    const malformed = '{"type":"event_callback","event_id":';
    expect((await postSlack(malformed)).status).toBe(400);
    const form = 'payload=%7Bnot-json';
    expect((await postSlack(form, slackHeaders(form), 'application/x-www-form-urlencoded')).status).toBe(400);
    expect(await countEvents(testDb.database)).toBe(before);
  });

  it('stores concurrent re-deliveries of one event once, acknowledging all', async () => {
    const body = slackEvent(team, 'message', 'EvCONCURRENT');
    const responses = await Promise.all(Array.from({ length: 20 }, () => postSlack(body)));
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(await countEvents(testDb.database, `delivery_id like '%:EvCONCURRENT'`)).toBe(1);
  });

  it('answers 503, never 2xx, while the database is unreachable, and acknowledges nothing it did not store', async () => {
    const results: { eventId: string; status: number }[] = [];
    const post = async (eventId: string) => {
      const response = await postSlack(slackEvent(team, 'message', eventId));
      results.push({ eventId, status: response.status });
    };
    const before = Array.from({ length: 10 }, (_, n) => `EvBEFORE${n}`);
    const during = Array.from({ length: 10 }, (_, n) => `EvDURING${n}`);
    await Promise.all(before.map(post));
    proxy.cut();
    try {
      await Promise.all(during.map(post));
    } finally {
      proxy.restore();
    }
    expect(results.filter((result) => before.includes(result.eventId)).map((result) => result.status)).toEqual(before.map(() => 200));
    expect(results.filter((result) => during.includes(result.eventId)).map((result) => result.status)).toEqual(during.map(() => 503));
    for (const { eventId, status } of results) {
      expect([eventId, await countEvents(testDb.database, 'delivery_id like ?', [`%:${eventId}`])]).toEqual([eventId, status === 200 ? 1 : 0]);
    }
  });

  it('stores again once the database is back', async () => {
    let status = 0;
    for (let n = 0; n < 20 && status !== 200; n++) {
      status = (await postSlack(slackEvent(team, 'message', `EvAFTER${n}`))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
  }, 60_000);
});
