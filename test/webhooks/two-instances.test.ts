import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { cloneTemplateDatabase } from '../support/database.js';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { testDatabaseUrl } from '../support/services.js';
import { startTestApp, type TestApp } from '../http/support/test-app.js';
import { SLACK_SIGNING_SECRET, slackEvent, slackHeaders } from './support/webhook-fixtures.js';

interface Update {
  webhookEventUpdated: { id: string; status: string; attempts: number; eventType: string; payload: { event_id?: string } };
}

/**
 * Two complete instances (createApp) on one database and one Redis: an event ingested by one
 * reaches a graphql-ws subscriber of the other through every transition, and a subscriber sees
 * nothing of another organization.
 */
describe('webhook progress across instances', () => {
  let first: TestApp;
  let second: TestApp;
  let client: Client;
  const orgA = randomUUID();
  const orgB = randomUUID();
  const teamA = `T${randomBytes(4).toString('hex')}`;
  const teamB = `T${randomBytes(4).toString('hex')}`;
  const redisPrefix = testRedisPrefix('webhooks');

  beforeAll(async () => {
    const databaseName = await cloneTemplateDatabase();
    const admin = new pg.Client({ connectionString: testDatabaseUrl(databaseName) });
    await admin.connect();
    await admin.query(
      `insert into integrations (organization_id, provider_id, provider_name, external_account_id) values ($1, 'slack', 'Slack', $2), ($3, 'slack', 'Slack', $4)`,
      [orgA, teamA, orgB, teamB],
    );
    await admin.end();
    const env = { SLACK_SIGNING_SECRET, SLACK_CLIENT_ID: 'x', SLACK_CLIENT_SECRET: 'y', REDIS_PREFIX: redisPrefix };
    first = await startTestApp(env, { databaseName });
    second = await startTestApp(env, { databaseName });
  });
  afterAll(async () => {
    await client?.dispose();
    await first?.close();
    await second?.close();
    await deleteRedisKeys(redisPrefix);
  });

  const post = (app: TestApp, team: string, eventId: string) => {
    const body = slackEvent(team, 'message', eventId);
    return fetch(`${app.url}/webhooks/slack`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackHeaders(body) }, body });
  };

  it('shows a subscriber on one instance every transition of an event ingested by the other, and nothing of another organization', async () => {
    client = createClient({
      url: `${second.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await second.token({ organizationId: orgA, roles: [] })}` },
      retryAttempts: 0,
    });
    const updates: Update['webhookEventUpdated'][] = [];
    let notify: (() => void) | null = null;
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<Update>(
        { query: 'subscription { webhookEventUpdated { id status attempts eventType payload } }' },
        {
          next: (result) => {
            if (result.data) updates.push(result.data.webhookEventUpdated);
            notify?.();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    const nextUpdate = () => new Promise<void>((resolve) => (notify = resolve));

    // The server's Redis SUBSCRIBE completes at a moment the client cannot see: send warm-up events
    // (another organization's first, each time: it must never arrive) until one arrives.
    for (let n = 0; updates.length === 0 && n < 100; n++) {
      expect((await post(first, teamB, `EvOtherOrg${n}`)).status).toBe(200);
      const arrived = nextUpdate();
      expect((await post(first, teamA, `EvWarmUp${n}`)).status).toBe(200);
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    expect(updates.length).toBeGreaterThan(0);

    expect((await post(first, teamA, 'EvTracked')).status).toBe(200);
    expect((await post(first, teamB, 'EvOtherOrgLast')).status).toBe(200);
    const tracked = () => updates.filter((update) => update.payload.event_id === 'EvTracked');
    while (!tracked().some((update) => update.status === 'COMPLETED')) await nextUpdate();

    // A Slack message has no handler: it goes from PENDING to COMPLETED in one claim.
    expect(tracked().map((update) => [update.status, update.attempts])).toEqual([
      ['PENDING', 0],
      ['COMPLETED', 1],
    ]);
    expect(updates.filter((update) => update.payload.event_id?.startsWith('EvOtherOrg'))).toEqual([]);
    void done;
  }, 60_000);
});
